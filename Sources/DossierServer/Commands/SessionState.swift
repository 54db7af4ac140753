import DossierDomain
import DossierProtocol

/// The signed-in user of a connection, as the database said at `AUTH`.
/// Role and department are re-read from the database for every command
/// (`dossier.begin_command`), so a change takes effect at once.
struct SignedInUser: Sendable, Equatable {
    let id: Int64
    let login: String
}

/// Per-connection state: nothing here is authoritative; it only says who this
/// connection speaks for and how it wants its answers.
struct SessionState: Sendable {
    let connectionID: Int
    var user: SignedInUser?
    var format: OutputFormat = .text
    /// `HELP` answers given before `AUTH` (bounded: see `CommandExecutor`).
    var helpAnswersBeforeLogin = 0
    /// Chosen with `LANG`; nil: the server's default (`ServerConfiguration.defaultLanguage`).
    var language: Language?
    /// `AUTH` is refused: plain TCP from a peer that is not loopback.
    var refusesPlainAuth = false

    init(connectionID: Int) {
        self.connectionID = connectionID
    }
}
