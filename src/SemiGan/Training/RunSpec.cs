using SemiGan.Data;
using SemiGan.Models;

namespace SemiGan.Training;

/// <summary>
/// A run's identity: one method on one (dataset, protocol, head, label count) variant with one seed. CSV
/// rows, runs.csv, checkpoints, merges and reports all name a run by it; nothing builds the name by hand.
/// </summary>
public sealed record RunSpec(int Labels, Protocol Protocol, KPlusOneHead Head, int Seed, string Method)
{
    /// <summary>The dataset; files written before it was recorded are MNIST's.</summary>
    public string Dataset { get; init; } = LegacyDataset;

    public static string LegacyDataset => Datasets.Mnist.Name;

    /// <summary>A run named by the strings its CSV rows and runs.csv hold.</summary>
    public static RunSpec Of(int labels, string protocol, string head, int seed, string method, string dataset) =>
        new(labels, ProtocolNames.Parse(protocol), KPlusOneHeadNames.Parse(head), seed, method) { Dataset = dataset };

    /// <summary>A file-name-safe identity, e.g. "sgan-mnist-masked-gan_logit-labels-1000-seed-1".</summary>
    public string Id => $"{Method}-{Dataset}-{Protocol.Name()}-{Head.Name()}-labels-{Labels}-seed-{Seed}";

    /// <summary>The name results written before the dataset was part of it used (for reading them).</summary>
    public string LegacyId => $"{Method}-{Protocol.Name()}-{Head.Name()}-labels-{Labels}-seed-{Seed}";
}
