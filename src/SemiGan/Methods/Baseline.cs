using SemiGan.Training;

namespace SemiGan.Methods;

/// <summary>
/// The seed's supervised baseline, as a 2020 walkthrough of semi-supervised GANs (a Japanese blog post with a PyTorch
/// Colab) trains it, hence its name: the same classifier (same initial weights at a seed), trained by
/// cross-entropy on the labeled images of the harness's batches (under the masked protocol, the few labeled
/// images a batch of the whole training set holds; a batch without one is no step). Two readings of the
/// seed's mask (option <c>mask</c>): "labeled-only" sends only those images through the network, the
/// walkthrough's reading and the default; "whole-batch" sends the whole batch, so batch norm normalises over 100 images, and
/// masks the loss to the labeled ones.
/// </summary>
public sealed class Baseline : IMethod
{
    public string Name => "baseline";
    public string DisplayName => Named(wholeBatch: false);

    /// <summary>"Walkthrough baseline (labeled images only)" or "… (whole batch, masked loss)": the mask reading is part of the name.</summary>
    public static string Named(bool wholeBatch) => $"Walkthrough baseline ({(wholeBatch ? "whole batch, masked loss" : "labeled images only")})";
    public IReadOnlyList<TrainingStep> Steps => [TrainingStep.Supervised];
    public IReadOnlyList<string> Options => ["mask"];

    public MethodRun Start(MethodContext c) => new SupervisedRun(c, e => e.Steps);
}
