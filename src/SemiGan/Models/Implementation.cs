namespace SemiGan.Models;

/// <summary>
/// Which code path computes a training step. Both compute the same networks and losses; they differ
/// only in how. <see cref="Reference"/> is the first implementation that landed (torch's dropout, the
/// generator's last bias inside the transposed convolution, discriminator weight gradients computed and
/// then thrown away in the generator update), kept so <c>semigan bench</c> can time it side by side.
/// </summary>
public enum Implementation
{
    Fast,
    Reference,
}
