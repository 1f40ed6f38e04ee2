using System.CommandLine;
using SemiGan.Results;

namespace SemiGan.Cli.Commands;

public static class MergeCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "New folder for the merged results, or the folder whose shards/ holds the inputs (merged in place, again after a resumed shard).", Required = true };
        var inputs = new Argument<string[]>("folders") { Description = "Result folders of the same experiment (e.g. its shards).", Arity = ArgumentArity.OneOrMore };
        var cmd = new Command("merge", "Combine result folders of one experiment (e.g. --shard runs), refusing conflicting duplicates.") { inputs, output };
        cmd.SetAction(r => Errors.Guard(() =>
        {
            string outFolder = r.GetValue(output)!;
            var folders = r.GetValue(inputs)!;
            Errors.LogFolder = outFolder;
            if (ShardMerge.InShardsFolder(outFolder, folders)) ShardMerge.Into(outFolder, folders);
            else ShardMerge.DrawCharts(ResultMerger.Merge(outFolder, folders));
            Console.WriteLine($"merged {folders.Length} folders into {outFolder}");
            return Errors.Ok;
        }));
        return cmd;
    }
}
