import ArgumentParser

/// `dossierd`: the records server and its operations commands.
@main
struct Dossierd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dossierd",
        abstract: "Customer dossier records server (DOSSIER/1 over TCP, PostgreSQL underneath).",
        subcommands: [Serve.self, Migrate.self, BootstrapCommand.self, BILogin.self, ImportCommand.self, ExportCommand.self,
                      BackupCommand.self, RestoreCommand.self, KeysCommand.self],
        defaultSubcommand: Serve.self
    )
}
