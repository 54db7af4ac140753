#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// dossier-bench: load generator for the benchmarks in deploy/bench
// (network.sh: ping, idle; dossier-show.sh: command). Targets one host:port;
// every loop is bounded by a request count and a time limit and stops by itself.

let usage = """
    usage:
      dossier-bench ping --port N [--host 127.0.0.1] [--connections 50] [--requests 200000]
                         [--pipeline 1] [--duration-limit 60] [--threads 1] [--label dossierd]
                         [--request PING] [--expect "OK PONG"] [--greeting "OK DOSSIER/1"|none]
          N connections, each keeping --pipeline requests in flight, until --requests
          responses or --duration-limit seconds; prints one line:
          <label> ping conns= pipeline= requests= completed= errors= seconds= rps= p50_ms= p99_ms= ...
          (against redis: --label redis --expect +PONG --greeting none)
      dossier-bench idle --port N --pid P [--host 127.0.0.1] [--connections 1000] [--hold 2]
          opens and holds N connections (greeted), reports VmRSS of process P before and
          after, checks that each still answers PING, closes; prints one line:
          idle conns= greeted= pong= rss_before_mb= rss_after_mb= rss_after_ping_mb= per_conn_kb=
      dossier-bench command --port N --auth <login> --password <pw> --line "DOSSIER SHOW D1 purpose=bench"
                            [--lines-file F] [--host 127.0.0.1] [--connections 8] [--requests 10000]
                            [--duration-limit 60] [--threads 1] [--label dossierd] [--greeting "OK DOSSIER/1"]
          N connections, each signs in with AUTH (not timed), then sends one request at a
          time (no pipelining) until --requests responses or --duration-limit seconds;
          requests are --line and the lines of --lines-file, used round-robin. A response
          is data lines `* …` and a final OK/ERR line; ERR responses are counted as errors.
          Prints one line:
          <label> command conns= requests= completed= errors= unexpected= seconds= rps= p50_ms= p99_ms= ...
          exit status 1 when any response was ERR, a line was unexpected or a connection was lost
      dossier-bench loan-cycle --port N --borrower <login> --manager <login> --archivist <login> --password <pw>
                               --refs-file F [--connections 8] [--cycles 1000] [--duration-limit 60]
                               [--threads 1] [--host 127.0.0.1] [--label dossierd] [--greeting "OK DOSSIER/1"]
          N workers, each with three connections (borrower, manager, archivist; AUTH not timed)
          and its own dossier (line i of F, e.g. D17), run full loan cycles one at a time:
          LOAN REQUEST <ref> purpose=bench; APPROVAL LIST kind=loan (the manager finds the
          approval of L<n>); APPROVE A<m>; LOAN CHECKOUT L<n>; LOAN RETURN L<n>. Prints one line:
          <label> loan-cycle workers= connections= cycles= completed= errors= seconds= cps= p50_ms= p99_ms= ...
    """

let arguments = CommandLine.arguments.dropFirst()
do {
    let ok: Bool
    switch arguments.first {
    case "ping":
        ok = try await PingCommand(Options(arguments.dropFirst(), known: PingCommand.options)).run()
    case "command":
        ok = try await CommandLoadCommand(Options(arguments.dropFirst(), known: CommandLoadCommand.options)).run()
    case "loan-cycle":
        ok = try await LoanCycleCommand(Options(arguments.dropFirst(), known: LoanCycleCommand.options)).run()
    case "idle":
        ok = try await IdleCommand(Options(arguments.dropFirst(), known: IdleCommand.options)).run()
    case "-h", "--help", "help":
        print(usage)
        ok = true
    default:
        standardError(usage)
        exit(64)
    }
    exit(ok ? 0 : 1)
} catch let error as UsageError {
    standardError("dossier-bench: \(error)")
    exit(64)
} catch {
    standardError("dossier-bench: \(error)")
    exit(1)
}
