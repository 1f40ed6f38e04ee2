using System.Runtime.CompilerServices;
using SemiGan.Models;
using static TorchSharp.torch;
using Generator = SemiGan.Models.Generator;

namespace SemiGan.Kernels;

/// <summary>The fast forward passes the models hand off to (<see cref="FastForward"/>), registered when the library loads.</summary>
sealed class FastPath : IFastForward
{
#pragma warning disable CA2255 // a library registering its own part: runs before any model exists
    [ModuleInitializer]
    internal static void Register() => FastForward.Current = new FastPath();
#pragma warning restore CA2255

    public Tensor Features(Discriminator d, Tensor x) => FastDiscriminator.Features(d, x);
    public (Tensor A, Tensor B) Forward(Discriminator d, Tensor a, Tensor b) => FastDiscriminator.Forward(d, a, b);
    public Tensor Forward(Generator g, Tensor z) => FastGenerator.Forward(g, z);
}
