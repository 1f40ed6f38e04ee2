using System.Diagnostics;
using SemiGan.Results;

namespace SemiGan.Tests;

public class FolderLockTests
{
    static (string Exp, string Data, string Out) Setup()
    {
        string dir = Synthetic.TempDir();
        string data = Synthetic.WriteFolder(Path.Combine(dir, "data"), train: 400, test: 100);
        string exp = Path.Combine(dir, "e.json");
        File.WriteAllText(exp, """{ "name": "lock", "labels": 100, "seeds": [1], "epochs": 1, "batchSize": 50, "sampleCount": 0 }""");
        string outDir = Path.Combine(dir, "out");
        Directory.CreateDirectory(outDir);
        return (exp, data, outDir);
    }

    static (int Code, string Err) Run(string exp, string data, string outDir)
    {
        var err = Console.Error;
        var sw = new StringWriter();
        Console.SetError(sw);
        try { return (SemiGan.Cli.CliApp.Run(["run", exp, "--out", outDir, "--data", data, "--no-verify", "--device", "cpu", "--fast-path", "reference"]), sw.ToString()); }
        finally { Console.SetError(err); }
    }

    [Fact]
    public void A_second_run_on_a_folder_in_use_refuses_at_once_naming_the_holder_and_writes_nothing()
    {
        var (exp, data, outDir) = Setup();
        File.WriteAllText(Path.Combine(outDir, ".lock"), Environment.ProcessId.ToString()); // a live holder: this test process
        var (code, err) = Run(exp, data, outDir);
        Assert.Equal(2, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains($"process {Environment.ProcessId}", err);
        Assert.False(File.Exists(Path.Combine(outDir, "epochs.csv")));
        Assert.True(File.Exists(Path.Combine(outDir, ".lock")), "another run's lock is never removed");
    }

    [Fact]
    public void A_lock_left_by_a_process_that_is_gone_is_taken_over_and_released_at_the_end()
    {
        var (exp, data, outDir) = Setup();
        using (var gone = Process.Start(new ProcessStartInfo("dotnet", "--version") { RedirectStandardOutput = true })!)
        {
            gone.StandardOutput.ReadToEnd();
            gone.WaitForExit();
            File.WriteAllText(Path.Combine(outDir, ".lock"), gone.Id.ToString());
        }
        var (code, _) = Run(exp, data, outDir);
        Assert.Equal(0, code);
        Assert.Equal(2, EpochCsv.Read(Path.Combine(outDir, "epochs.csv")).Count);
        Assert.False(File.Exists(Path.Combine(outDir, ".lock")));
    }
}
