using SemiGan.Methods;
using SemiGan.Models;
using SemiGan.Training;
using static TorchSharp.torch;

namespace SemiGan.Tests;

/// <summary>A registered method's run outside an experiment: started with given settings, given weights, trained on given steps.</summary>
static class MethodSteps
{
    public static MethodRun Start(string method, Implementation impl, KPlusOneHead head = KPlusOneHead.GanLogit, Protocol protocol = Protocol.Masked,
        Func<MethodSettings, MethodSettings>? settings = null, object? own = null, int seed = 1, Device? device = null, ImageShape? shape = null)
    {
        var m = MethodRegistry.Get(method);
        var s = new MethodSettings { SampleCount = 0, Epochs = 1 }.With(m) with { };
        if (own is not null) s = s with { Own = own };
        s = settings?.Invoke(s) ?? s;
        return m.Start(new MethodContext(new RunSpec(100, protocol, head, seed, method), s, shape ?? ImageShape.Default, device ?? CPU, impl));
    }

    /// <summary>Puts a state into one of the run's networks, by its name ("discriminator", "generator").</summary>
    public static void Load(MethodRun run, string network, Dictionary<string, Tensor> state) =>
        run.NamedNetworks.Single(n => n.Name == network).Module.load_state_dict(state);

    public static nn.Module Network(MethodRun run, string network) => run.NamedNetworks.Single(n => n.Name == network).Module;

    /// <summary>One epoch of the given steps (indices into images and labels).</summary>
    public static EpochLosses Train(MethodRun run, IEnumerable<Step> steps, Tensor images, Tensor labels, int epoch = 1, Action? onStep = null, Device? device = null)
    {
        var list = steps.ToList();
        return run.Train(new EpochData(epoch, list, list.Count, (step, i) => new Batch(step, epoch, i, list.Count, 1, images, labels, device ?? CPU, run.Needs), onStep));
    }
}
