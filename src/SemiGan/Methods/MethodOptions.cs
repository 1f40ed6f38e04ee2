using System.Text.Json.Serialization;
using SemiGan.Models;

namespace SemiGan.Methods;

/// <summary>
/// One entry of an experiment's <c>methodSettings</c>: a method's own settings, or a named variant of a
/// registered method (<see cref="Method"/> names it) so one experiment can compare, say, two readings of the
/// baseline. A field left out takes the method's recipe default (<see cref="IMethod.Defaults"/>), else the
/// experiment's top-level value, else the harness default. The written config.json holds every field resolved.
/// </summary>
public sealed record MethodOptions
{
    const JsonIgnoreCondition Unset = JsonIgnoreCondition.WhenWritingNull;

    /// <summary>The registered method this entry configures (default: the entry's own name).</summary>
    [JsonIgnore(Condition = Unset)] public string? Method { get; init; }
    /// <summary>As in reports and chart legends (default: the method's, plus the variant's name).</summary>
    [JsonIgnore(Condition = Unset)] public string? DisplayName { get; init; }
    [JsonIgnore(Condition = Unset)] public string? Architecture { get; init; }
    [JsonIgnore(Condition = Unset)] public double? LearningRate { get; init; }
    [JsonIgnore(Condition = Unset)] public double? Beta1 { get; init; }
    [JsonIgnore(Condition = Unset)] public double? Beta2 { get; init; }
    /// <summary>L2 penalty added to the gradient (torch's Adam weight_decay).</summary>
    [JsonIgnore(Condition = Unset)] public double? WeightDecay { get; init; }
    [JsonIgnore(Condition = Unset)] public double? Dropout { get; init; }
    /// <summary>"none", or "linear": full rate for the first two thirds of the epochs, then linearly towards 0.</summary>
    [JsonIgnore(Condition = Unset)] public string? LrDecay { get; init; }
    /// <summary>Evaluate on an exponential (Polyak) average of the classifier's weights at this rate per optimizer step; 0 = the raw weights.</summary>
    [JsonIgnore(Condition = Unset)] public double? Ema { get; init; }
    /// <summary>GANs: "all" (batch norm's running statistics see real and generated batches) or "real" (only real ones move them).</summary>
    [JsonIgnore(Condition = Unset)] public string? BnStats { get; init; }
    /// <summary>Baseline: "labeled-only" (only a batch's labeled images go through the network) or "whole-batch" (all go through, the loss is masked to the labeled ones).</summary>
    [JsonIgnore(Condition = Unset)] public string? Mask { get; init; }
    /// <summary>Gaussian noise in the discriminator in training: σ 0.3 on the input (in [0,1] units, as the recipe), and for the MLP σ 0.5 after each hidden layer.</summary>
    [JsonIgnore(Condition = Unset)] public bool? Noise { get; init; }

    /// <summary>The option fields every method accepts (each method adds its own, <see cref="IMethod.Options"/>).</summary>
    public static readonly string[] Common = ["method", "displayName", "architecture", "learningRate", "beta1", "beta2", "weightDecay", "dropout", "lrDecay", "ema"];

    /// <summary>The fields this entry sets, by JSON name.</summary>
    public IEnumerable<string> SetFields()
    {
        if (Method is not null) yield return "method";
        if (DisplayName is not null) yield return "displayName";
        if (Architecture is not null) yield return "architecture";
        if (LearningRate is not null) yield return "learningRate";
        if (Beta1 is not null) yield return "beta1";
        if (Beta2 is not null) yield return "beta2";
        if (WeightDecay is not null) yield return "weightDecay";
        if (Dropout is not null) yield return "dropout";
        if (LrDecay is not null) yield return "lrDecay";
        if (Ema is not null) yield return "ema";
        if (BnStats is not null) yield return "bnStats";
        if (Mask is not null) yield return "mask";
        if (Noise is not null) yield return "noise";
    }

    /// <summary>These options over <paramref name="fallback"/>'s, field by field.</summary>
    public MethodOptions Over(MethodOptions fallback) => new()
    {
        Method = Method ?? fallback.Method, DisplayName = DisplayName ?? fallback.DisplayName,
        Architecture = Architecture ?? fallback.Architecture,
        LearningRate = LearningRate ?? fallback.LearningRate, Beta1 = Beta1 ?? fallback.Beta1, Beta2 = Beta2 ?? fallback.Beta2,
        WeightDecay = WeightDecay ?? fallback.WeightDecay, Dropout = Dropout ?? fallback.Dropout,
        LrDecay = LrDecay ?? fallback.LrDecay, Ema = Ema ?? fallback.Ema, BnStats = BnStats ?? fallback.BnStats,
        Mask = Mask ?? fallback.Mask, Noise = Noise ?? fallback.Noise,
    };

    /// <summary>The first bad value as (field, message), or null when all are allowed.</summary>
    public (string Field, string Message)? FirstError()
    {
        if (Architecture is { } a && !Architectures.Names.Contains(a)) return ("architecture", $"'{a}' is not one of {string.Join(", ", Architectures.Names)}");
        if (LearningRate is <= 0) return ("learningRate", $"{LearningRate} must be positive");
        if (Beta1 is < 0 or >= 1) return ("beta1", $"{Beta1} must be in [0, 1)");
        if (Beta2 is < 0 or >= 1) return ("beta2", $"{Beta2} must be in [0, 1)");
        if (WeightDecay is < 0) return ("weightDecay", $"{WeightDecay} must be 0 or positive");
        if (Dropout is < 0 or >= 1) return ("dropout", $"{Dropout} must be in [0, 1)");
        if (LrDecay is { } d && !LearningRateDecay.Names.Contains(d)) return ("lrDecay", $"'{d}' is not one of {string.Join(", ", LearningRateDecay.Names)}");
        if (Ema is < 0 or >= 1) return ("ema", $"{Ema} must be in [0, 1) (0 = evaluate the raw weights)");
        if (BnStats is { } b && !BatchNormStats.Names.Contains(b)) return ("bnStats", $"'{b}' is not one of {string.Join(", ", BatchNormStats.Names)}");
        if (Mask is { } m && !BaselineMask.Names.Contains(m)) return ("mask", $"'{m}' is not one of {string.Join(", ", BaselineMask.Names)}");
        return null;
    }
}

/// <summary>A method's settings for one run, every field resolved (see <see cref="MethodOptions"/>).</summary>
public sealed record MethodSettings
{
    public Architecture Architecture { get; init; } = Architecture.Cnn;
    public double Dropout { get; init; } = 0.3;
    public int LatentDim { get; init; } = 100;
    public double LearningRate { get; init; } = 2e-4;
    public double Beta1 { get; init; } = 0.5;
    public double Beta2 { get; init; } = 0.999;
    public double WeightDecay { get; init; }
    public bool LinearDecay { get; init; }
    public double Ema { get; init; }
    public bool BatchNormFromRealOnly { get; init; }
    public bool WholeBatch { get; init; }
    public bool Noise { get; init; }
    public int SampleCount { get; init; } = 64;
    /// <summary>The run's length, which a learning-rate decay is relative to.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>σ of the input noise when <see cref="Noise"/> is on: the recipe's 0.3 on [0,1] images is 0.6 on this harness's [-1,1] ones.</summary>
    public double InputNoise => Noise ? 0.6 : 0;
    /// <summary>σ after each hidden layer of the MLP when <see cref="Noise"/> is on (the recipe's 0.5).</summary>
    public double HiddenNoise => Noise ? 0.5 : 0;

    /// <summary>These settings with a method's recipe defaults applied (for a method timed or tested outside an experiment).</summary>
    public MethodSettings With(MethodOptions defaults) => this with
    {
        LearningRate = defaults.LearningRate ?? LearningRate, Beta1 = defaults.Beta1 ?? Beta1, Beta2 = defaults.Beta2 ?? Beta2,
        WeightDecay = defaults.WeightDecay ?? WeightDecay, Dropout = defaults.Dropout ?? Dropout, Ema = defaults.Ema ?? Ema,
        Noise = defaults.Noise ?? Noise,
    };

    /// <summary>The learning rate of an epoch (1-based): constant, or constant for two thirds of the run, then linearly towards 0.</summary>
    public double LearningRateAt(int epoch) =>
        LinearDecay ? LearningRate * Math.Min(1, 3.0 * (1 - (epoch - 1) / (double)Epochs)) : LearningRate;
}

public static class LearningRateDecay { public static readonly string[] Names = ["none", "linear"]; }
public static class BatchNormStats { public static readonly string[] Names = ["all", "real"]; }
public static class BaselineMask { public static readonly string[] Names = ["labeled-only", "whole-batch"]; }
