using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SemiGan.Models;

/// <summary>
/// DCGAN-style generator: z → linear to 128 maps of a quarter of the image side → batch norm, ReLU →
/// stride-2 transposed convolution to 64 maps → batch norm, ReLU → stride-2 transposed convolution to the
/// image → tanh, in [-1,1].
/// </summary>
public sealed class Generator : ImageGenerator
{
    public const int Maps = 128;
    /// <summary>The two transposed convolutions (the second's channels are the image's).</summary>
    public static readonly ConvGeometry Up = new(64, 4, 2, 1), ToImageGeometry = new(0, 4, 2, 1);

    // Declared (and built) in forward order: weight initialisation draws in this order.
    internal readonly Linear project;
    internal readonly BatchNorm1d norm0;
    internal readonly ConvTranspose2d up;
    internal readonly BatchNorm2d norm1;
    internal readonly ConvTranspose2d toImage;

    public override int LatentDim { get; }
    public ImageShape Shape { get; }
    public Implementation Implementation { get; }
    internal int StartHeight { get; }
    internal int StartWidth { get; }

    public Generator(int latentDim = 100, Implementation implementation = Implementation.Fast, ImageShape? shape = null)
        : base(nameof(Generator))
    {
        (LatentDim, Shape, Implementation) = (latentDim, shape ?? ImageShape.Default, implementation);
        (StartHeight, StartWidth) = (Shape.Height / 4, Shape.Width / 4);
        if (ToImageGeometry.OutTransposed(Up.OutTransposed(StartHeight)) != Shape.Height || ToImageGeometry.OutTransposed(Up.OutTransposed(StartWidth)) != Shape.Width)
            throw new ArgumentException($"Generator: image sides must be multiples of 4, not {Shape.Height}x{Shape.Width}");
        project = Linear(latentDim, Maps * StartHeight * StartWidth, hasBias: false); // batch norm follows: no bias
        norm0 = BatchNorm1d(Maps * StartHeight * StartWidth);
        up = ConvTranspose2d(Maps, Up.Channels, kernel_size: Up.Kernel, stride: Up.Stride, padding: Up.Padding, bias: false);
        norm1 = BatchNorm2d(Up.Channels);
        toImage = ConvTranspose2d(Up.Channels, Shape.Channels, kernel_size: ToImageGeometry.Kernel, stride: ToImageGeometry.Stride, padding: ToImageGeometry.Padding);
        RegisterComponents();
        WeightInit.Dcgan(this);
    }

    public override Tensor forward(Tensor z)
    {
        if (Implementation == Implementation.Fast) return FastForward.Current.Forward(this, z);
        var h = functional.relu(norm0.forward(Autocast.Linear(project, z))).view(-1, Maps, StartHeight, StartWidth);
        h = functional.relu(norm1.forward(Autocast.ConvTranspose2d(up, h)));
        return Autocast.ConvTranspose2d(toImage, h).tanh();
    }
}
