/// A customer's grade.
public enum CustomerGrade: String, WireEnum {
    case vip = "VIP"
    case a = "A"
    case b = "B"
    case c = "C"
}
