using SemiGan.Results;

namespace SemiGan.Cli.Commands;

/// <summary>
/// Merges shard folders that live inside the output folder (&lt;out&gt;/shards/k, as --jobs and the Slurm
/// scripts lay them out) into that folder. ResultMerger wants a new folder, so the merge goes to a scratch
/// folder first and its entries then replace their namesakes in &lt;out&gt;: merging again after a resumed
/// shard updates the results, and nothing else in &lt;out&gt; (the shards) is touched.
/// </summary>
public static class ShardMerge
{
    /// <summary>True when every input lies below &lt;out&gt;/shards/ (only that layout is merged in place).</summary>
    public static bool InShardsFolder(string outFolder, IEnumerable<string> inputs)
    {
        string root = Path.Combine(Path.GetFullPath(outFolder), "shards") + Path.DirectorySeparatorChar;
        return inputs.All(i => Path.GetFullPath(i).StartsWith(root, StringComparison.Ordinal));
    }

    public static void Into(string outFolder, IReadOnlyList<string> inputs)
    {
        string scratch = Path.Combine(outFolder, ".merging");
        if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true); // left by an interrupted merge
        ResultMerger.Merge(scratch, inputs);
        foreach (string entry in Directory.EnumerateFileSystemEntries(scratch).ToList())
        {
            string dest = Path.Combine(outFolder, Path.GetFileName(entry));
            if (Directory.Exists(dest)) Directory.Delete(dest, recursive: true);
            else if (File.Exists(dest)) File.Delete(dest);
            if (Directory.Exists(entry)) Directory.Move(entry, dest);
            else File.Move(entry, dest);
        }
        Directory.Delete(scratch, recursive: true);
        DrawCharts(RunOutput.Existing(outFolder));
    }

    /// <summary>A merged folder's learning-curve charts, from its merged rows.</summary>
    public static void DrawCharts(RunOutput merged) => Reports.RunArtifacts.AccuracyCharts(merged, EpochCsv.Read(merged.EpochsCsv));
}
