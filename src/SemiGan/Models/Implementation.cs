namespace SemiGan.Models;

/// <summary>
/// Which code path computes a training step. Both compute the same networks, losses and updates; they
/// differ only in how. <see cref="Reference"/> is the first implementation that landed — torch's
/// LeakyReLU and dropout, [N,C,H,W] layout, libtorch's single-channel convolutions, the discriminator's
/// weight gradients computed (and discarded) in the generator update, TorchSharp's Adam with zeroed
/// gradients — kept so <c>semigan bench</c> can time it side by side with <see cref="Fast"/>, which every
/// run uses.
/// </summary>
public enum Implementation
{
    Fast,
    Reference,
}
