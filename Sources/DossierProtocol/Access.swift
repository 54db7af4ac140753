import DossierDomain

/// Who may use a verb at all — the coarse gate the server applies before running a
/// command. Finer rules (own objects, department, level, self-or-admin) are the
/// server's and the database's.
public enum Access: Hashable, Sendable {
    /// Works before `AUTH` (PING, AUTH, LANG, HELP, QUIT).
    case anyone
    /// Needs a login with one of these roles.
    case roles(Set<Role>)

    /// Any logged-in user.
    public static let loggedIn = Access.roles(Set(Role.allCases))
    /// Everyone who works with customer data: all but `admin` ("no customer data").
    public static let staff = Access.roles([.rep, .manager, .archivist, .director, .auditor])

    public var allowsAnonymous: Bool {
        switch self {
        case .anyone: true
        case .roles: false
        }
    }

    /// Whether a session with this role (nil: not logged in) may use the verb.
    public func permits(_ role: Role?) -> Bool {
        switch self {
        case .anyone: true
        case .roles(let roles): role.map(roles.contains) ?? false
        }
    }
}
