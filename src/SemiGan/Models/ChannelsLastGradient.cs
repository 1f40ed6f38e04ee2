using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Models;

/// <summary>A layer form of <see cref="ChannelsLast.GradientFrom"/> (identity forward, channels-last gradient).</summary>
public sealed class ChannelsLastGradient(string name = "ChannelsLastGradient") : nn.Module<Tensor, Tensor>(name)
{
    public override Tensor forward(Tensor x) => training ? ChannelsLast.GradientFrom(x) : x.alias();
}
