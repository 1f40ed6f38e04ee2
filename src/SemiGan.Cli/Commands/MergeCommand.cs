using System.CommandLine;
using SemiGan.Results;

namespace SemiGan.Cli.Commands;

public static class MergeCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "New folder for the merged results.", Required = true };
        var inputs = new Argument<string[]>("folders") { Description = "Result folders of the same experiment (e.g. its shards).", Arity = ArgumentArity.OneOrMore };
        var cmd = new Command("merge", "Combine result folders of one experiment (e.g. --shard runs), refusing conflicting duplicates.") { inputs, output };
        cmd.SetAction(r => Errors.Guard(() =>
        {
            var merged = ResultMerger.Merge(r.GetValue(output)!, r.GetValue(inputs)!);
            Reports.RunArtifacts.AccuracyCharts(merged, EpochCsv.Read(merged.EpochsCsv));
            Console.WriteLine($"merged {r.GetValue(inputs)!.Length} folders into {merged.Folder}");
            return Errors.Ok;
        }));
        return cmd;
    }
}
