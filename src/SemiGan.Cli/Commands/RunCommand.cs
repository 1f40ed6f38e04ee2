using SemiGan.Experiments;
using System.CommandLine;
using System.Globalization;
using SemiGan.Config;
using SemiGan.Results;
using SemiGan.Training;
using Spectre.Console;

namespace SemiGan.Cli.Commands;

public static class RunCommand
{
    public static Command Create()
    {
        var experiment = new Argument<string>("experiment") { Description = "Experiment definition (JSON), e.g. experiments/seed-1000.json." };
        var seeds = new Option<string?>("--seeds") { Description = "Override the seeds, comma-separated (e.g. 1,2,3)." }.Checked(Usage.SeedsError);
        var epochs = Usage.PositiveInt("--epochs", "Override the number of epochs.");
        var set = SetOption();
        var output = new Option<string?>("--out")
        {
            Description = "Output folder (default: results/<experiment name>, or with --set results/<experiment name>-set-<8 hex digits of the sorted overrides>). " +
                          "A folder holding this same experiment is resumed; one holding a different experiment is refused.",
        };
        var dryRun = new Option<bool>("--dry-run") { Description = "Check everything, list the runs with their steps and an estimated time, and write nothing (no folder, no lock, no data fetch)." };
        var bench = new Option<string?>("--bench") { Description = "With --dry-run: the `semigan bench --json` file to estimate from (default: the newest results/bench*.json)." };
        var data = new Option<string?>("--data") { Description = "The dataset's folder (default: data/<dataset>, for mnist $SEMIGAN_DATA when set); fetched when missing and verified on every run unless --no-verify." };
        var device = new Option<string>("--device") { Description = "auto (cuda when torch sees a GPU, else cpu) | cpu | cuda.", DefaultValueFactory = _ => "auto" };
        var threads = Usage.PositiveInt("--threads", "Torch CPU threads (default: libtorch's choice; with --jobs, all cores split between the jobs).");
        var shard = new Option<string?>("--shard") { Description = "Run only shard i of n of the grid (i/n, e.g. 2/4, or several: i,j/n); combine shard folders with 'semigan merge'." }
            .Checked(s => { try { Shard.Parse(s); return null; } catch (ConfigException e) { return e.Message; } });
        var noVerify = new Option<bool>("--no-verify") { Description = "Skip the dataset's SHA-256 and count checks and never download (for other data of the same IDX shape in --data)." };
        var fastPath = FastPathOption();
        var jobs = Jobs.Option();
        var restartRun = RestartRunOption();
        var precision = PrecisionOption();
        var diagnostics = Usage.PositiveInt("--diagnostics", "Log every Nth optimizer step of each run (losses, gradient norm, Adam's update and second moment, " +
            "batch-norm running statistics, live and averaged weights' accuracy) to diagnostics/<run id>.csv in the output folder; off by default.");
        var cmd = new Command("run", "Train every run of the experiment's grid (each method, label count, seed, protocol and head it lists); write per-epoch CSV, config, splits, charts, samples and run-info.json. Re-running on the same --out resumes.")
        {
            experiment, seeds, epochs, set, output, data, device, threads, shard, noVerify, fastPath, jobs, restartRun, dryRun, bench, precision, diagnostics,
        };
        cmd.SetAction(r => Errors.Guard(() => Execute(r, () =>
        {
            var sets = ConfigOverride.ParseAll(r.GetValue(set));
            var cfg = ValidateCommand.Load(r.GetValue(experiment)!, r.GetValue(seeds), r.GetValue(epochs), sets);
            string p = r.GetValue(precision)!;
            var inPrecision = cfg.InPrecision(p).Validated("command line");
            // A bf16 run of an experiment never shares the fp32 folder.
            return (inPrecision, r.GetValue(output) ?? DefaultOut(cfg, sets) + (p == "fp32" || ReferenceEquals(inPrecision, cfg) ? "" : $"-{p}"));
        }, ended: Answer)));
        return cmd;
    }

    /// <summary>
    /// The body of `run`, shared with `tune`: --dry-run, --jobs, or the grid in this process (resume, lock, shard,
    /// self-check, data, runner). <paramref name="load"/> gives the experiment and its output folder (called where a
    /// refused file must be reported); <paramref name="ended"/> runs once every run of the whole grid has ended in this
    /// process, <paramref name="merged"/> after --jobs has merged its children's folders. The command's options are
    /// read by name, so a command sharing this body declares the same ones (but --seeds, --epochs, --set).
    /// </summary>
    public static int Execute(ParseResult r, Func<(ExperimentConfig Config, string Out)> load, Action<ExperimentConfig, RunOutput>? ended = null,
        Action<ExperimentConfig, string>? merged = null)
    {
        var started = DateTime.UtcNow;
        if (r.GetValue<bool>("--dry-run")) return DryRun.Print(r, load);
        if (r.GetValue<string?>("--bench") is not null) throw new ConfigException("--bench: only used with --dry-run; add --dry-run, or drop --bench.");
        if (r.GetValue<int>("--jobs") is var n && n != 1) return Jobs.Run(r, n, load, merged);
        // Everything checkable without torch first, so a refused command prints its one line and nothing else, writes
        // nothing, and spends no time on the self-check or a fetch.
        var (cfg, outPath) = load();
        var options = new RunOptions
        {
            RestartRuns = r.GetValue<string[]>("--restart-run") ?? [],
            Shard = r.GetValue<string?>("--shard") is { } sh ? Shard.Parse(sh) : Shard.All,
            FastPath = ParseFastPath(r.GetValue<string>("--fast-path")!),
            Device = r.GetValue<string>("--device")!,
            Threads = r.GetValue<int?>("--threads"),
            DataFolder = r.GetValue<string?>("--data"),
            Verify = !r.GetValue<bool>("--no-verify"),
            // `tune` shares this body without the option.
            Diagnostics = r.CommandResult.Command.Options.Any(o => o.Name == "--diagnostics") ? r.GetValue<int?>("--diagnostics") : null,
            // The newest bench file's step times price a method until it has trained an epoch (the time left per epoch line).
            StepCostPrior = DryRun.BenchStepMilliseconds(null, out _),
        };
        Errors.LogFolder = outPath;
        var run = ExperimentRun.Check(cfg, outPath, options);

        // The run goes ahead: torch, the self-check on this device, thread count and batch size, then the data and the runner.
        var rows = run.Train(new RunConsole(Console.WriteLine,
            // Plain console when redirected: Spectre would cut lines to its assumed 80 columns.
            line => { if (AnsiConsole.Profile.Capabilities.Interactive) AnsiConsole.WriteLine(line); else Console.WriteLine(line); },
            WithProgress), started);
        foreach (string line in ExperimentRun.FinalAccuracies(cfg, rows)) Console.WriteLine(line);
        if (options.Shard == Shard.All) ended?.Invoke(cfg, run.Output!);
        Console.WriteLine($"done: {Path.GetFullPath(run.Output!.Folder)}");
        return Errors.Ok;
    }

    /// <summary>Once every run of the grid has ended: report.md, and the experiment's answer (<see cref="ExperimentRun.Answer"/>).</summary>
    static void Answer(ExperimentConfig cfg, RunOutput outFolder)
    {
        foreach (string line in ExperimentRun.Answer(cfg, outFolder)) Console.WriteLine(line);
    }

    public static FastPathMode ParseFastPath(string s) => s switch
    {
        "auto" => FastPathMode.Auto,
        "require" => FastPathMode.Require,
        "reference" => FastPathMode.Reference,
        _ => throw new ConfigException($"--fast-path: '{s}' is not one of auto, require, reference."),
    };

    /// <summary>--fast-path, shared by run and bench.</summary>
    public static Option<string> FastPathOption() => new("--fast-path")
    {
        Description = "auto: check the fast implementation against the reference on this machine first and fall back to the reference if they disagree; " +
                      "require: stop instead (exit 1); reference: train on the reference implementation without checking.",
        DefaultValueFactory = _ => "auto",
    };

    /// <summary>--restart-run &lt;run id&gt;, repeatable.</summary>
    public static Option<string[]> RestartRunOption() => new("--restart-run")
    {
        Description = "Train this unfinished run again from scratch: drop its rows from epochs.csv and its checkpoint first (repeatable; " +
                      "the way out when its checkpoint is damaged and no intact earlier one remains).",
    };

    /// <summary>--set key=value, repeatable (run and validate).</summary>
    /// <summary>--precision fp32|bf16: every method's precision (bf16 renames each method m to the variant m-bf16).</summary>
    public static Option<string> PrecisionOption() => new("--precision")
    {
        Description = "fp32 (default) or bf16 (experimental; CPUs with AVX512-BF16 or AMX, or CUDA): convolutions and linear layers in bfloat16 from float32 " +
                      "master weights. bf16 runs each method m as the variant m-bf16, into results/<name>-bf16 by default.",
        DefaultValueFactory = _ => "fp32",
    };

    public static Option<string[]> SetOption() => new Option<string[]>("--set")
    {
        Description = "Override an experiment field, e.g. --set learningRate=0.001 or --set methodSettings.supervised.learningRate=0.001 (repeatable; " +
                      "the value is JSON when it parses as JSON, [a,b] a list, else a string); checked like the file and recorded in config.json.",
    }.CheckedEach(ConfigOverride.Error);

    /// <summary>results/&lt;name&gt;, or with --set results/&lt;name&gt;-set-&lt;hash&gt;, so runs with different overrides never share a folder.</summary>
    public static string DefaultOut(ExperimentConfig cfg, IReadOnlyList<ConfigOverride> sets) =>
        Path.Combine("results", sets.Count == 0 ? cfg.Name : $"{cfg.Name}-set-{ConfigOverride.Hash(sets)}");

    internal static int[] ParseSeeds(string s) =>
        Usage.SeedsError(s) is { } message
            ? throw new ConfigException(message)
            : s.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(x => int.Parse(x, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)).ToArray();

    /// <summary>A progress bar with ETA when the console is interactive; plain log lines otherwise.</summary>
    static IReadOnlyList<EpochRecord> WithProgress(Func<Action<RunProgress>, IReadOnlyList<EpochRecord>> work)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive) return work(_ => { });
        return AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("training");
                return work(p =>
                {
                    task.MaxValue = p.StepsTotal;
                    task.Value = p.StepsDone;
                    task.Description = p.Current;
                });
            });
    }
}
