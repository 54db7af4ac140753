import DossierDomain

/// `AUTH <login> <password>`.
public struct Auth: Hashable, Sendable {
    public var login: Login
    public var password: Password
    public init(login: Login, password: Password) { self.login = login; self.password = password }
}

/// What `HELP` describes.
public enum HelpTopic: Hashable, Sendable {
    /// `HELP`: every verb.
    case all
    /// `HELP DOSSIER`: every verb starting with this word (or one single-word verb).
    case group(String)
    /// `HELP DOSSIER NEW`.
    case verb(Verb)
}
