using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SemiGan.Models;

/// <summary>DCGAN initialisation: conv/linear weights ~ N(0, 0.02), batch-norm scale ~ N(1, 0.02), biases 0.</summary>
public static class WeightInit
{
    /// <summary>Every layer below <paramref name="module"/>, in named_modules order.</summary>
    public static void Dcgan(nn.Module module)
    {
        foreach (var (_, m) in module.named_modules()) Layer(m);
    }

    /// <summary>One layer (others are left as they are).</summary>
    public static void Layer(nn.Module m)
    {
        using var _ = torch.no_grad();
        switch (m)
        {
            case Conv2d or ConvTranspose2d or Linear:
                foreach (var (pname, p) in m.named_parameters(recurse: false))
                {
                    if (pname == "weight") nn.init.normal_(p, 0.0, 0.02);
                    else if (pname == "bias") nn.init.zeros_(p);
                }
                break;
            case BatchNorm1d or BatchNorm2d:
                foreach (var (pname, p) in m.named_parameters(recurse: false))
                {
                    if (pname == "weight") nn.init.normal_(p, 1.0, 0.02);
                    else if (pname == "bias") nn.init.zeros_(p);
                }
                break;
        }
    }
}
