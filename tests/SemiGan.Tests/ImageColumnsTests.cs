using SemiGan.Kernels;
using SemiGan.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Tests;

public class ImageColumnsTests
{
    // The generator's geometry (14x14 grid -> 28x28, k4 s2 p1), an odd one (k3 s2 p1: 7x7 -> 13x13) and a
    // generic kernel size with stride 1 (k5 s1 p2: same size).
    public static TheoryData<int, int, int, int> Geometries => new() { { 4, 2, 1, 14 }, { 3, 2, 1, 7 }, { 5, 1, 2, 6 } };

    static ImageColumns.Geometry Make(int k, int s, int p, int grid)
    {
        long image = (grid - 1) * s - 2 * p + k;
        return new ImageColumns.Geometry(k, s, p, grid, grid, image, image);
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void ToImage_is_torch_fold_and_FromImage_is_torch_unfold(int k, int s, int p, int grid)
    {
        torch.random.manual_seed(40);
        var g = Make(k, s, p, grid);
        using var columns = ChannelsLast.From(randn(3, k * k, grid, grid));
        using var image = randn(3, 1, g.ImageHeight, g.ImageWidth);

        using var mine = ImageColumns.ToImage(columns, g);
        using var folded = nn.functional.fold(columns.reshape(3, k * k, grid * grid), (g.ImageHeight, g.ImageWidth), (k, k), stride: (s, s), padding: (p, p));
        Assert.True(mine.allclose(folded, rtol: 1e-6, atol: 1e-6), $"col2im: max diff {(mine - folded).abs().max().item<float>()}");

        using var back = ImageColumns.FromImage(image, g);
        using var unfolded = nn.functional.unfold(image, (k, k), stride: (s, s), padding: (p, p)).view(3, k * k, grid, grid);
        Assert.True(ChannelsLast.Is(back), "columns come back channels-last");
        Assert.True(back.equal(unfolded).all().item<bool>(), "im2col copies values, it must match exactly");
    }

    [Fact]
    public void Gradients_are_each_others_operation()
    {
        // The backward of col2im is im2col of the upstream gradient, and vice versa.
        torch.random.manual_seed(41);
        var g = Make(4, 2, 1, 14);
        using var columns = ChannelsLast.From(randn(2, 16, 14, 14)).requires_grad_(true);
        using var upstream = randn(2, 1, 28, 28);
        ImageColumns.ToImage(columns, g).backward([upstream]);
        Assert.True(columns.grad!.equal(ImageColumns.FromImage(upstream, g)).all().item<bool>());

        using var image = randn(2, 1, 28, 28).requires_grad_(true);
        using var upColumns = ChannelsLast.From(randn(2, 16, 14, 14));
        ImageColumns.FromImage(image, g).backward([upColumns]);
        Assert.True(image.grad!.allclose(ImageColumns.ToImage(upColumns, g), rtol: 1e-6, atol: 1e-6));
    }
}
