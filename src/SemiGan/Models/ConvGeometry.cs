using SemiGan.Data;

namespace SemiGan.Models;

/// <summary>One convolution's shape: output channels, kernel, stride and padding (written once, used to build and to compute sizes).</summary>
public sealed record ConvGeometry(int Channels, int Kernel, int Stride, int Padding)
{
    /// <summary>Output side of a convolution over an input of side n.</summary>
    public int Out(int n) => (n + 2 * Padding - Kernel) / Stride + 1;

    /// <summary>Output side of the transposed convolution over an input of side n.</summary>
    public int OutTransposed(int n) => (n - 1) * Stride - 2 * Padding + Kernel;
}

/// <summary>The image a network takes or makes: channels, height, width, and the number of classes.</summary>
public sealed record ImageShape(int Channels, int Height, int Width, int Classes)
{
    public static ImageShape Of(DatasetDescriptor d) => new(d.Channels, d.Height, d.Width, d.Classes);

    /// <summary>MNIST's (and Fashion-MNIST's): the default of the networks' constructors.</summary>
    public static ImageShape Default => Of(Datasets.Mnist);
}
