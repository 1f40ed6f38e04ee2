using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SemiGan.Models;

/// <summary>DCGAN initialisation: conv/linear weights ~ N(0, 0.02), batch-norm scale ~ N(1, 0.02), biases 0.</summary>
public static class WeightInit
{
    public static void Dcgan(nn.Module module)
    {
        using var _ = torch.no_grad();
        foreach (var (name, m) in module.named_modules())
        {
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
}
