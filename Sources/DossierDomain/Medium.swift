/// The medium of a dossier item.
public enum Medium: String, WireEnum {
    case paper
    case electronic
    case both
}
