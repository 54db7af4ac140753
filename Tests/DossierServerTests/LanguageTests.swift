import DossierProtocol
import DossierServer
import Testing

/// `LANG zh-CN|en` (deploy/PROTOCOL-NOTES.md, "Session language"), over real sockets.
@Suite struct LanguageTests {
    @Test func langSwitchesMessagesAndHelpSummariesButNotCodesOrData() async throws {
        let server = try await TestServer()
        let client = try await server.client()
        #expect(try await client.request("WHOAMI") == ["ERR AUTH login required"])
        // Allowed before login, so a console can send it first.
        #expect(try await client.request("LANG zh-CN") == ["OK"])
        #expect(try await client.request("WHOAMI") == ["ERR AUTH 需要先登录"])
        #expect(try await client.request("NOSUCH") == ["ERR UNKNOWN 没有这个命令；请用 HELP 查看"])
        #expect(try await client.request("HELP PING") == [#"* verb=PING usage=PING summary=检查服务器是否应答。"#, "OK 1"])
        #expect(try await client.request("AUTH admin \(TestServer.adminPassword)") == ["OK admin role=admin dept=HQ"])
        #expect(try await client.request("DOSSIER SHOW D999") == ["ERR DENIED DOSSIER SHOW 不对角色 admin 开放"])
        #expect(try await client.request("DEPT ADD sh name=x") == ["ERR ARGS code 无效：应为部门代码（大写字母和数字）"])
        #expect(try await client.request("CREDIT PAY C-2026-00001 amount=1") == ["ERR DENIED CREDIT PAY 不对角色 admin 开放"])
        #expect(try await client.request("HELP CREDIT PLAN").first?.contains("summary=\"制定还款计划（经理）：未还欠款按到期日从早到晚转为等额分期，自 first= 起每月或每 <n> 天一期。\"") == true)
        #expect(try await client.request("FORMAT json") == [#"{"ok":true,"message":"","rows":[]}"#])
        let userShow = try await client.request("USER SHOW")
        #expect(userShow == [#"{"ok":false,"code":"UNKNOWN","message":"USER 后面需要以下之一：ADD, LIST, PASSWD, UNLOCK, LEAVE, SET, ACTIVATE"}"#], "\(userShow)")
        #expect(try await client.request("FORMAT text") == ["OK"])
        #expect(try await client.request("LANG en") == ["OK"])
        #expect(try await client.request("DOSSIER SHOW D999") == ["ERR DENIED DOSSIER SHOW is not for role admin"])
        #expect(try await client.request("LANG fr").first?.hasPrefix("ERR ARGS invalid language: expected one of en, zh-CN") == true)
        try await server.shutdown()
    }

    @Test func theServerDefaultIsConfigurable() async throws {
        let server = try await TestServer { $0.defaultLanguage = .chinese }
        let client = try await server.client()
        #expect(try await client.request("WHOAMI") == ["ERR AUTH 需要先登录"])
        #expect(try await client.request("LANG en") == ["OK"])
        #expect(try await client.request("WHOAMI") == ["ERR AUTH login required"])
        // Another connection keeps the default.
        #expect(try await server.client().request("WHOAMI") == ["ERR AUTH 需要先登录"])
        try await server.shutdown()
    }
}
