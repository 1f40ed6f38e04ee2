using System.CommandLine;
using SemiGan.Config;

namespace SemiGan.Cli.Commands;

/// <summary>`semigan validate`: the checks `run` makes on an experiment file, without training (e.g. before queueing a cluster job).</summary>
public static class ValidateCommand
{
    public static Command Create()
    {
        var experiment = new Argument<string>("experiment") { Description = "Experiment definition (JSON), e.g. experiments/quick.json." };
        var seeds = new Option<string?>("--seeds") { Description = "Seeds override, as for run." }.Checked(Usage.SeedsError);
        var epochs = Usage.PositiveInt("--epochs", "Epochs override, as for run.");
        var set = RunCommand.SetOption();
        var cmd = new Command("validate", "Check an experiment file (and run's --seeds/--epochs/--set overrides) and print its grid size; exit 2 if it is invalid.")
        {
            experiment, seeds, epochs, set,
        };
        cmd.SetAction(r => Errors.Guard(() =>
        {
            var cfg = Load(r.GetValue(experiment)!, r.GetValue(seeds), r.GetValue(epochs), ConfigOverride.ParseAll(r.GetValue(set)));
            Console.WriteLine($"{cfg.Name}: valid; {cfg.Runs().Count()} runs (dataset {cfg.Dataset}, labels [{string.Join(",", cfg.Labels)}], seeds [{string.Join(",", cfg.Seeds)}], " +
                              $"methods [{string.Join(",", cfg.Methods)}], protocol [{string.Join(",", cfg.Protocol)}], head [{string.Join(",", cfg.Head)}]), {cfg.Epochs} epochs each");
            return Errors.Ok;
        }));
        return cmd;
    }

    /// <summary>The experiment as `run` resolves it: the file with the --set overrides, then the --seeds and --epochs overrides, validated.</summary>
    public static ExperimentConfig Load(string path, string? seeds, int? epochs, IReadOnlyList<ConfigOverride>? sets = null)
    {
        var cfg = ExperimentConfig.Load(path, sets ?? []);
        if (seeds is not null) cfg = cfg with { Seeds = RunCommand.ParseSeeds(seeds) };
        if (epochs is { } e) cfg = cfg with { Epochs = e };
        return cfg.Validated("command line");
    }
}
