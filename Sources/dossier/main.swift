// The `dossier` console client; see DossierCommand for its options.
DossierCommand.main()
