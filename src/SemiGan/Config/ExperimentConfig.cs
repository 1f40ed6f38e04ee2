using System.Text.Json;
using System.Text.Json.Serialization;
using SemiGan.Models;

namespace SemiGan.Config;

/// <summary>
/// One experiment definition (experiments/*.json). Loaded and validated once at the edge; unknown
/// fields are rejected so a typo never silently falls back to a default. The resolved copy (after
/// command-line overrides) is written beside every run's results.
/// </summary>
public sealed record ExperimentConfig
{
    public required string Name { get; init; }
    public string Description { get; init; } = "";
    /// <summary>Number of labeled training images (class-balanced: a multiple of 10).</summary>
    public required int Labels { get; init; }
    public required int[] Seeds { get; init; }
    public required int Epochs { get; init; }
    /// <summary>"masked" or "streams" (see README).</summary>
    public string Protocol { get; init; } = "masked";
    /// <summary>"gan_logit" or "softmax11".</summary>
    public string Head { get; init; } = "gan_logit";
    /// <summary>Which models to train: any of "sgan", "baseline".</summary>
    public string[] Models { get; init; } = ["sgan", "baseline"];
    public int BatchSize { get; init; } = 100;
    /// <summary>Do labeled images also count as unlabeled data? The masked protocol requires true (one dataset, a label mask).</summary>
    public bool LabeledInUnlabeledPool { get; init; } = true;
    /// <summary>Training images to use (0 = all). For quick runs; the labeled split is drawn from this prefix.</summary>
    public int TrainLimit { get; init; }
    public int LatentDim { get; init; } = 100;
    public double Dropout { get; init; } = 0.3;
    public double LearningRate { get; init; } = 2e-4;
    public double Beta1 { get; init; } = 0.5;
    public double Beta2 { get; init; } = 0.999;
    public int EvalBatchSize { get; init; } = 1000;
    /// <summary>Generator samples in the sample grid (0 = none).</summary>
    public int SampleCount { get; init; } = 64;

    [JsonIgnore] public KPlusOneHead HeadKind => KPlusOneHeadNames.Parse(Head);

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
    };

    public static ExperimentConfig Load(string path)
    {
        if (!File.Exists(path)) throw new ConfigException($"{path}: experiment file not found; pass a file from experiments/.");
        ExperimentConfig? cfg;
        try { cfg = JsonSerializer.Deserialize<ExperimentConfig>(File.ReadAllText(path), Json); }
        catch (JsonException e)
        {
            throw new ConfigException($"{path}: {e.Message.Split(". Path:")[0].TrimEnd('.')} (at {e.Path ?? "?"}); fix the experiment file.");
        }
        return (cfg ?? throw new ConfigException($"{path}: empty experiment file.")).Validated(path);
    }

    /// <summary>Throws <see cref="ConfigException"/> naming the first bad field; returns this when valid.</summary>
    public ExperimentConfig Validated(string source = "experiment")
    {
        void Fail(string field, string msg) => throw new ConfigException($"{source}: {field}: {msg}");
        if (string.IsNullOrWhiteSpace(Name) || Name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || Name.Contains('/'))
            Fail("name", $"'{Name}' must be a non-empty file-name-safe string");
        if (Labels <= 0 || Labels % 10 != 0) Fail("labels", $"{Labels} must be a positive multiple of 10 (class-balanced split)");
        int trainSize = TrainLimit > 0 ? TrainLimit : 60000;
        if (TrainLimit < 0) Fail("trainLimit", $"{TrainLimit} must be 0 (all) or positive");
        if (Labels > trainSize) Fail("labels", $"{Labels} is larger than the training set ({trainSize})");
        if (Seeds is null || Seeds.Length == 0) Fail("seeds", "must list at least one seed");
        if (Seeds!.Distinct().Count() != Seeds.Length) Fail("seeds", "must not repeat a seed");
        if (Epochs <= 0) Fail("epochs", $"{Epochs} must be positive");
        if (BatchSize <= 0) Fail("batchSize", $"{BatchSize} must be positive");
        if (EvalBatchSize <= 0) Fail("evalBatchSize", $"{EvalBatchSize} must be positive");
        if (Protocol is not ("masked" or "streams")) Fail("protocol", $"'{Protocol}' is not one of masked, streams");
        if (Head is not ("gan_logit" or "softmax11")) Fail("head", $"'{Head}' is not one of gan_logit, softmax11");
        if (Models is null || Models.Length == 0 || Models.Any(m => m is not ("sgan" or "baseline")) || Models.Distinct().Count() != Models.Length)
            Fail("models", $"[{string.Join(", ", Models ?? [])}] must be a non-empty list of distinct values from sgan, baseline");
        if (Protocol == "masked" && !LabeledInUnlabeledPool)
            Fail("labeledInUnlabeledPool", "false needs protocol 'streams': the masked protocol passes over all training images, labeled ones included");
        if (BatchSize > trainSize) Fail("batchSize", $"{BatchSize} is larger than the training set ({trainSize})");
        if (!LabeledInUnlabeledPool && trainSize - Labels < BatchSize)
            Fail("labeledInUnlabeledPool", $"false leaves {trainSize - Labels} unlabeled images, fewer than one batch ({BatchSize})");
        if (LatentDim <= 0) Fail("latentDim", $"{LatentDim} must be positive");
        if (Dropout is < 0 or >= 1) Fail("dropout", $"{Dropout} must be in [0, 1)");
        if (LearningRate <= 0) Fail("learningRate", $"{LearningRate} must be positive");
        if (Beta1 is < 0 or >= 1) Fail("beta1", $"{Beta1} must be in [0, 1)");
        if (Beta2 is < 0 or >= 1) Fail("beta2", $"{Beta2} must be in [0, 1)");
        if (SampleCount is < 0 or > 400) Fail("sampleCount", $"{SampleCount} must be in 0..400");
        return this;
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}
