import DossierConsole
import DossierProtocol
import Testing

@Suite struct ConsoleSessionTests {
    @Test func identityFromTheLoginAnswer() {
        let identity = SessionIdentity(okLine: "OK li.na role=rep dept=SH")
        #expect(identity == SessionIdentity(login: "li.na", role: "rep", department: "SH"))
        #expect(SessionIdentity(okLine: "OK PONG") == nil)
        #expect(SessionIdentity(okLine: "ERR AUTH invalid credentials") == nil)
    }

    @Test func promptShowsLoginDepartmentAndRemoteServer() {
        let identity = SessionIdentity(login: "li.na", department: "SH")
        #expect(PromptText.make(identity: nil, host: "127.0.0.1", port: 7878) == "dossier> ")
        #expect(PromptText.make(identity: identity, host: "localhost", port: 7878) == "li.na@SH> ")
        #expect(PromptText.make(identity: identity, host: "db1.example", port: 7878) == "li.na@SH db1.example:7878> ")
        #expect(PromptText.make(identity: identity, host: "127.0.0.1", port: 9000) == "li.na@SH 127.0.0.1:9000> ")
    }

    @Test func languageFromTheLocale() {
        #expect(ConsoleLanguage.fromLocale(["LANG": "zh_CN.UTF-8"]) == "zh-CN")
        #expect(ConsoleLanguage.fromLocale(["LANG": "zh_CN.UTF-8", "LC_ALL": "en_US.UTF-8"]) == "en")
        #expect(ConsoleLanguage.fromLocale(["LC_MESSAGES": "zh_TW", "LANG": "en_US"]) == "zh-CN")
        #expect(ConsoleLanguage.fromLocale(["LANG": "C.UTF-8"]) == nil)
        #expect(ConsoleLanguage.fromLocale([:]) == nil)
        #expect(ConsoleLanguage.fromLocale(["LC_ALL": "", "LANG": "zh_CN"]) == "zh-CN")
    }

    @Test func passwordsLeftOutAreAskedFor() {
        #expect(RequestInspector.secretRequest("AUTH li.na") == .auth(login: "li.na"))
        #expect(RequestInspector.secretRequest("auth li.na") == .auth(login: "li.na"))
        #expect(RequestInspector.secretRequest("AUTH li.na s3cret") == nil)
        #expect(RequestInspector.secretRequest("USER PASSWD li.na") == .passwd(login: "li.na"))
        #expect(RequestInspector.secretRequest("USER PASSWD li.na new") == nil)
        #expect(RequestInspector.secretRequest("WHOAMI") == nil)
        #expect(RequestInspector.SecretRequest.auth(login: "li.na").line(password: "a b=c") == #"AUTH li.na "a b=c""#)
    }

    @Test func passwordsAreMaskedWhileTyped() {
        #expect(RequestInspector.masked("AUTH li.na s3cret") == "AUTH li.na ******")
        #expect(RequestInspector.masked("auth li.na 密码x") == "auth li.na ＊＊*")
        #expect(RequestInspector.masked("USER PASSWD li.na n3w") == "USER PASSWD li.na ***")
        #expect(RequestInspector.masked("DOSSIER LIST") == "DOSSIER LIST")
        #expect(RequestInspector.masked("AUTH") == "AUTH")
        for line in ["AUTH li.na 密码", "USER PASSWD x 合同"] {
            #expect(DisplayWidth.of(RequestInspector.masked(line)) == DisplayWidth.of(line))
            #expect(RequestInspector.masked(line).count == line.count)
        }
    }

    @Test func secretLinesStayOutOfHistory() {
        var history = History()
        let withPassword = history.add("AUTH li.na s3cret")
        let asking = history.add("AUTH li.na")
        let plain = history.add("WHOAMI")
        #expect(!withPassword && !asking && plain)
    }

    @Test func metaCommands() throws {
        #expect(try MetaCommand.parse(#"\x"#) == .expanded(nil))
        #expect(try MetaCommand.parse(#"\x auto"#) == .expanded(.auto))
        #expect(try MetaCommand.parse(#"\all on"#) == .followCursors(true))
        #expect(try MetaCommand.parse(#"\pager off"#) == .pager(false))
        #expect(try MetaCommand.parse(#"\q"#) == .quit)
        #expect(throws: MetaCommandError.self) { try MetaCommand.parse(#"\x sideways"#) }
        #expect(throws: MetaCommandError.self) { try MetaCommand.parse(#"\frob"#) }
        #expect(MetaCommand.isMeta(#" \x"#))
        #expect(!MetaCommand.isMeta("WHOAMI"))
    }
}

@Suite struct ExitStatusTests {
    @Test func distinctCodes() {
        #expect(ExitStatus.success.rawValue == 0)
        #expect(ExitStatus.commandFailed.rawValue == 1)
        #expect(ExitStatus.connectionFailed.rawValue == 2)
        #expect(ExitStatus.loginFailed.rawValue == 3)
        #expect(Set(ExitStatus.allCases.map(\.rawValue)).count == ExitStatus.allCases.count)
    }

    @Test func anyFailedLineFailsTheScript() {
        var run = ScriptRun(stopOnError: false)
        let afterFailure = run.record(succeeded: false)
        let afterSuccess = run.record(succeeded: true)
        #expect(afterFailure && afterSuccess)
        #expect(run.status == .commandFailed)
        #expect(run.executed == 2)
    }

    @Test func stopOnErrorStopsAtTheFirstFailure() {
        var run = ScriptRun(stopOnError: true)
        let afterSuccess = run.record(succeeded: true)
        let afterFailure = run.record(succeeded: false)
        #expect(afterSuccess && !afterFailure)
        #expect(run.status == .commandFailed)
        var clean = ScriptRun(stopOnError: true)
        _ = clean.record(succeeded: true)
        #expect(clean.status == .success)
    }
}
