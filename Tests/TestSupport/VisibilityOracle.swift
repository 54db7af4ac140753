/// RULES.md's visibility table restated in Swift, independently of the SQL
/// policies, for the fixture's users and dossiers.
public enum VisibilityOracle {
    /// May `user` see the register entry of `dossier`?
    public static func register(_ user: RecordsFixture.User, _ dossier: RecordsFixture.Dossier) -> Bool {
        switch user.role {
        case "director": return true
        case "admin": return false
        default:
            if dossier.owner == user.login { return true }
            if dossier.level == "top_secret" { return false }
            if dossier.status == "filed" { return true }
            return user.role == "manager" && dossier.dept == user.dept
        }
    }

    /// …and its content?
    public static func content(_ user: RecordsFixture.User, _ dossier: RecordsFixture.Dossier, _ fixture: RecordsFixture) -> Bool {
        switch user.role {
        case "director": return true
        case "auditor", "admin": return false
        default:
            if dossier.owner == user.login { return true }
            if user.login == "rep2.sh" && (dossier.id == fixture.grantedToRep2 || dossier.id == fixture.lentToRep2) { return true }
            guard dossier.dept == user.dept, dossier.level != "top_secret" else { return false }
            switch user.role {
            case "manager": return true
            case "archivist": return dossier.status == "filed" || dossier.status == "on_loan"
            default: return false
            }
        }
    }
}
