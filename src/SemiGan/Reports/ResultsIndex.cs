using System.Globalization;
using SemiGan.Results;

namespace SemiGan.Reports;

/// <summary>
/// A results index (`semigan report &lt;folder&gt; --index &lt;file&gt;`): one line per run folder below a results
/// folder, with its experiment, dataset, state, finished and planned runs, the commits its invocations ran at
/// (run-info.json) and the time of its last epoch (else of its last invocation's end or start). The state: "history" or "tuning" when its note.md opens so
/// (or a tuning experiment's name), "ended" when every planned run has ended, else "unfinished" (running or stopped).
/// </summary>
public static class ResultsIndex
{
    public static readonly string[] Header = ["folder", "experiment", "dataset", "state", "runs_ended", "runs_planned", "commit", "last_epoch_utc"];

    public static void Write(string root, string path)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var rows = ReportWriter.FindRuns(root).Select(f => Row(f, dir)).ToList();
        if (rows.Count == 0) throw new FileNotFoundException($"{root}: no epochs.csv below it; pass a folder that holds run results.");
        Directory.CreateDirectory(dir);
        TextTable.Write(path, Header, rows);
    }

    static string[] Row(ReportWriter.RunFolder f, string indexDir)
    {
        string config = Path.Combine(f.Path, "config.json"), info = Path.Combine(f.Path, "run-info.json"), notePath = Path.Combine(f.Path, "note.md");
        var cfg = File.Exists(config) ? Config.ExperimentConfig.Load(config) : null;
        string? note = File.Exists(notePath) ? File.ReadAllText(notePath).TrimStart() : null;
        string experiment = string.Join(" ", f.Rows.Select(r => r.Experiment).Distinct());
        int planned = cfg?.Runs().Count() ?? f.Rows.Select(r => r.Run.Id).Distinct().Count();
        int ended = f.Statuses?.Select(s => s.RunId).Distinct().Count() ?? planned; // without runs.csv every run counts as ended, as in the report
        string state = note?.StartsWith("History", StringComparison.OrdinalIgnoreCase) == true ? "history"
            : ReportWriter.IsTuning(experiment, note) ? "tuning"
            : ended >= planned ? "ended" : "unfinished";
        var invocations = File.Exists(info) ? RunOutput.ReadRunInfo(info) : [];
        var commits = invocations.Select(r => r["gitCommit"]?.ToString()).OfType<string>().Where(c => c.Length >= 7).Select(c => c[..7]).Distinct();
        // Older folders' rows carry no time: then the latest end (or start) an invocation recorded.
        var last = f.Rows.Select(r => r.FinishedUtc).OfType<DateTimeOffset>().DefaultIfEmpty().Max();
        if (last == default)
            last = invocations.Select(r => r["finishedUtc"]?.ToString() ?? r["startedUtc"]?.ToString())
                .Select(t => DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d : default).DefaultIfEmpty().Max();
        return
        [
            Path.GetRelativePath(indexDir, f.Path).Replace('\\', '/'), experiment,
            string.Join(" ", f.Rows.Select(r => r.Run.Dataset).Distinct()), state,
            ended.ToString(CultureInfo.InvariantCulture), planned.ToString(CultureInfo.InvariantCulture),
            string.Join(" ", commits), last == default ? "" : last.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
        ];
    }
}
