using SemiGan.Models;

namespace SemiGan.Config;

/// <summary>One training run of a grid: a model on one (label count, protocol, head) variant with one seed.</summary>
public sealed record RunSpec(int Labels, string Protocol, string Head, int Seed, string Method)
{
    public KPlusOneHead HeadKind => KPlusOneHeadNames.Parse(Head);

    /// <summary>A file-name-safe identity, e.g. "sgan-masked-gan_logit-labels-1000-seed-1".</summary>
    public string Id => $"{Method}-{Protocol}-{Head}-labels-{Labels}-seed-{Seed}";
}
