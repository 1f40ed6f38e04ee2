using SemiGan.Training;

namespace SemiGan.Methods;

/// <summary>
/// The walkthrough's supervised baseline, as a 2020 walkthrough of semi-supervised GANs (a Japanese blog post with a
/// PyTorch Colab) trains it, hence its name: the same classifier (same initial weights at a seed), trained by
/// cross-entropy on the labeled images of the protocol's batches (under the masked protocol, the few labeled
/// images a batch of the whole training set holds; a batch without one is no step). Two readings of the
/// walkthrough's mask (option <c>mask</c>): "labeled-only" sends only those images through the network, the
/// walkthrough's reading and the default; "whole-batch" sends the whole batch, so batch norm normalises over 100 images, and
/// masks the loss to the labeled ones.
/// </summary>
public sealed class Baseline : IMethod
{
    public string Name => "baseline";
    public string DisplayName => Named(wholeBatch: false);
    public Type OptionsType => typeof(BaselineOptions);

    /// <summary>"Walkthrough baseline (labeled images only)" or "… (whole batch, masked loss)": the mask reading is part of the name.</summary>
    public static string Named(bool wholeBatch) => $"Walkthrough baseline ({(wholeBatch ? "whole batch, masked loss" : "labeled images only")})";

    public MethodRun Start(MethodContext c) =>
        new SupervisedRun(c, DataNeeds.Protocol, noise: false, wholeBatch: c.Options<BaselineOptions>().Mask == "whole-batch");
}

/// <summary>The baseline's own options.</summary>
public sealed record BaselineOptions
{
    /// <summary>"labeled-only": only a batch's labeled images go through the network; "whole-batch": all go through, the loss is masked to the labeled ones.</summary>
    [Choices("labeled-only", "whole-batch")] public string Mask { get; init; } = "labeled-only";
}
