/// Whether a customer is a company or a natural person.
public enum CustomerKind: String, WireEnum {
    case company
    case person
}
