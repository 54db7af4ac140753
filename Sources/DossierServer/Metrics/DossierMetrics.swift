import Metrics
import Synchronization

/// The metrics the daemon records as things happen, through swift-metrics
/// (exported by swift-prometheus when `serve --metrics-listen` is given; a
/// no-op otherwise). Names and label sets are fixed here, in one place:
/// Prometheus wants one label set per name.
public enum DossierMetrics {
    private static let recording = Atomic<Bool>(false)

    /// Called once the metrics system is bootstrapped with an exporter.
    /// Until then nothing is recorded: making a Counter and a Timer per
    /// request, to be dropped by the no-op handler, was 5% of a PING (perf).
    public static func startRecording() { recording.store(true, ordering: .relaxed) }

    /// Whether an exporter was set up (`startRecording`).
    static var isRecording: Bool { recording.load(ordering: .relaxed) }

    /// One request line answered: `dossier_commands_total{verb,outcome}` and
    /// `dossier_command_duration_seconds{verb}` (a histogram).
    static func command(verb: String, outcome: String, duration: Duration) {
        guard recording.load(ordering: .relaxed) else { return }
        Counter(label: "dossier_commands_total", dimensions: [("verb", verb), ("outcome", outcome)]).increment()
        Timer(label: "dossier_command_duration_seconds", dimensions: [("verb", verb)]).recordNanoseconds(duration.inNanoseconds)
    }

    /// One scheduled job run that this daemon claimed:
    /// `dossier_job_runs_total{job,outcome}` and `dossier_job_duration_seconds{job,outcome}`.
    static func jobRun(job: String, outcome: String, duration: Duration) {
        Counter(label: "dossier_job_runs_total", dimensions: [("job", job), ("outcome", outcome)]).increment()
        Timer(label: "dossier_job_duration_seconds", dimensions: [("job", job), ("outcome", outcome)])
            .recordNanoseconds(duration.inNanoseconds)
    }
}
