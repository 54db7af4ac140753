/// How a paper dossier is lent: taken out, or read in the reading room only.
public enum LoanMode: String, WireEnum {
    case takeout
    case readingRoom = "reading_room"
}
