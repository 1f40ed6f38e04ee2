using System.Text.Json;
using System.Text.Json.Nodes;
using SemiGan.Config;

namespace SemiGan.Results;

/// <summary>
/// Combines result folders of the same experiment (e.g. the shards of a grid run on different machines)
/// into one. Everything is checked before anything is written: the inputs must hold the same resolved
/// config, and a run or file present in several inputs must be identical in all of them (timings aside);
/// a conflicting duplicate is refused, naming the run or file.
/// </summary>
public static class ResultMerger
{
    public static RunOutput Merge(string outFolder, IReadOnlyList<string> inputs)
    {
        if (inputs.Count == 0) throw new ConfigException("merge: name at least one input folder.");
        var folders = inputs.Select(RunOutput.Existing).ToList();
        var config = ExperimentConfig.Load(folders[0].ConfigPath);
        foreach (var f in folders.Skip(1))
            if (ExperimentConfig.Load(f.ConfigPath).ToJson() != config.ToJson())
                throw new ConfigException($"merge: {f.Folder} holds a different experiment than {folders[0].Folder} (config.json differs); merge only shards of one experiment.");
        if (Directory.Exists(outFolder) && Directory.EnumerateFileSystemEntries(outFolder).Any())
            throw new ConfigException($"merge: {outFolder} is not empty; pass a new folder.");

        // Rows: one per (run, epoch); duplicates must agree on everything but the timing.
        var rows = new Dictionary<(string, int), (EpochRecord Row, string From)>();
        var statuses = new Dictionary<string, (RunStatus Status, string From)>();
        var files = new Dictionary<string, (byte[] Bytes, string From)>(StringComparer.Ordinal);
        var invocations = new List<JsonNode>();
        foreach (var f in folders)
        {
            foreach (var row in EpochCsv.Read(f.EpochsCsv))
            {
                var key = (row.Run.Id, row.Epoch);
                if (rows.TryGetValue(key, out var seen) && seen.Row.Untimed() != row.Untimed())
                    throw new ConfigException($"merge: run {key.Item1} epoch {key.Item2} differs between {seen.From} and {f.Folder}; refusing to merge conflicting results.");
                rows.TryAdd(key, (row, f.Folder));
            }
            foreach (var s in RunStatusCsv.Read(f.RunsCsv))
            {
                if (statuses.TryGetValue(s.Run.Id, out var seen) && seen.Status != s)
                    throw new ConfigException($"merge: run {s.RunId} ended differently in {seen.From} and {f.Folder}; refusing to merge conflicting results.");
                statuses.TryAdd(s.Run.Id, (s, f.Folder));
            }
            foreach (string sub in new[] { "splits", "confusion", "samples", "models", "tensorboard", "diagnostics" })
            {
                string dir = Path.Combine(f.Folder, sub);
                if (!Directory.Exists(dir)) continue;
                foreach (string file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
                {
                    string rel = Path.GetRelativePath(f.Folder, file);
                    byte[] bytes = File.ReadAllBytes(file);
                    if (files.TryGetValue(rel, out var seen) && !seen.Bytes.AsSpan().SequenceEqual(bytes))
                        throw new ConfigException($"merge: {rel} differs between {seen.From} and {f.Folder}; refusing to merge conflicting results.");
                    files.TryAdd(rel, (bytes, f.Folder));
                }
            }
            if (File.Exists(f.RunInfoPath)) invocations.AddRange(RunOutput.ReadRunInfo(f.RunInfoPath));
        }

        var output = RunOutput.Open(outFolder, config);
        output.WriteConfig(config);
        var order = config.Runs().Select((r, i) => (r.Id, i)).ToDictionary(x => x.Id, x => x.i);
        var merged = rows.Values.Select(v => v.Row)
            .OrderBy(r => order.GetValueOrDefault(r.Run.Id, int.MaxValue))
            .ThenBy(r => r.Epoch).ToList();
        EpochCsv.Rewrite(output.EpochsCsv, merged);
        RunStatusCsv.Rewrite(output.RunsCsv, statuses.Values.Select(v => v.Status).OrderBy(s => order.GetValueOrDefault(s.Run.Id, int.MaxValue)));
        foreach (var (rel, (bytes, _)) in files)
        {
            string dest = Path.Combine(outFolder, rel);
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.WriteAllBytes(dest, bytes);
        }
        File.WriteAllText(output.RunInfoPath,
            new JsonArray([.. invocations.Select(n => n.DeepClone())]).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + Environment.NewLine);
        return output;
    }
}
