/// A dossier's lifecycle state (RULES.md, "Dossiers"). Purged dossiers no longer exist.
public enum DossierStatus: String, WireEnum {
    case draft
    case submitted
    case filed
    case onLoan = "on_loan"
    case deleted
    case destroyed
}
