using System.CommandLine;
using System.Globalization;
using SemiGan.Benchmarks;
using SemiGan.Config;
using SemiGan.Training;

namespace SemiGan.Cli.Commands;

public static class BenchCommand
{
    public static Command Create()
    {
        var device = new Option<string>("--device") { Description = "auto (cuda when torch sees a GPU, else cpu) | cpu | cuda.", DefaultValueFactory = _ => "auto" };
        var threads = Usage.PositiveInt("--threads", "Torch CPU threads (default: libtorch's choice).");
        var steps = Usage.PositiveInt("--steps", "Steps per timed repeat.", 20);
        var repeats = Usage.PositiveInt("--repeats", "Timed repeats (the median is reported).", 5);
        var json = new Option<string?>("--json") { Description = "Also write the figures as JSON to this file." };
        var fastPath = RunCommand.FastPathOption();
        // Both implementations are timed whatever the mode; it only decides what the check before them does.
        fastPath.Description = "The check a run makes first, here at batch 100. auto or reference: run it and report which implementation a run with --fast-path auto would use; " +
                               "require: stop (exit 1) if the fast implementation disagrees. Both implementations are timed either way.";
        var cmd = new Command("bench", "Time every registered method's training step, the SGAN and baseline steps on both implementations, and evaluation; compare achieved GFLOP/s with the machine's matmul GFLOP/s.")
        {
            device, threads, steps, repeats, json, fastPath,
        };
        cmd.SetAction(r => Errors.Guard(() =>
        {
            if (r.GetValue(steps) <= 0) throw new ConfigException("--steps: must be positive.");
            if (r.GetValue(repeats) <= 0) throw new ConfigException("--repeats: must be positive.");
            var dev = Errors.Input(() => DeviceChoice.Resolve(r.GetValue(device)!));
            Errors.ApplyThreads(r.GetValue(threads));
            Errors.ApplyTorchLogLevel();
            // The same check a run makes, at the bench's batch size: fast-path figures only mean something if it agrees.
            var mode = RunCommand.ParseFastPath(r.GetValue(fastPath)!);
            var choice = FastPathChoice.Make(mode == FastPathMode.Reference ? FastPathMode.Auto : mode,
                () => Methods.FastPathCheck.Run(dev, 100, [Models.KPlusOneHead.GanLogit],
                    Methods.FastPathCheck.Registered(new Methods.MethodSettings()), Models.ImageShape.Default), Console.WriteLine);
            // bf16 too where it computes natively (the precision a run may ask for); its own check first, as a bf16 run makes it.
            bool bf16 = dev.type == TorchSharp.DeviceType.CUDA || Models.Autocast.CpuHasBf16;
            if (bf16)
                Console.WriteLine("bf16: " + Methods.FastPathCheck.Run(dev, 100, [Models.KPlusOneHead.GanLogit],
                    Methods.FastPathCheck.Registered(new Methods.MethodSettings { Precision = Models.Precision.Bf16 }), Models.ImageShape.Default).Describe());
            else Console.WriteLine("bf16: not timed (this CPU has neither AVX512-BF16 nor AMX, so libtorch would emulate it)");
            var report = Benchmark.Run(dev, steps: r.GetValue(steps), repeats: r.GetValue(repeats), bf16: bf16);
            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine($"device {report.Device}, {report.Threads} torch threads (OpenMP wait policy {Kernels.OpenMpWaitPolicy.Describe()}), batch {report.BatchSize}");
            Console.WriteLine($"{"item",-34} {"ms/call",10} {"images/s",10} {"GFLOP/call",11} {"GFLOP/s",9} {"of matmul",10}");
            // "of matmul": of the float32 roof, or for a bf16 item of the bf16 roof.
            double Roof(BenchResult x) => x.Precision == Models.Precision.Bf16 ? report.MatmulBf16!.Gflops : report.MatmulGflops;
            foreach (var x in report.Results)
                Console.WriteLine(x.FlopsPerCall > 0
                    ? string.Format(inv, "{0,-34} {1,10:F2} {2,10:F0} {3,11:F3} {4,9:F1} {5,10:P0}",
                        x.Name, x.MedianMs, x.ImagesPerSecond, x.FlopsPerCall / 1e9, x.GflopsPerSecond, x.GflopsPerSecond / Roof(x))
                    : string.Format(inv, "{0,-34} {1,10:F2} {2,10:F0} {3,11} {3,9} {3,10}", x.Name, x.MedianMs, x.ImagesPerSecond, "–"));
            Console.WriteLine();
            // Every timed step with its reference-implementation twin ("X" and "X (reference)").
            var fp32 = report.Results.Where(x => x.Precision == Models.Precision.Fp32).ToList();
            foreach (var reference in fp32.Where(x => x.Reference))
            {
                var fast = fp32.Single(x => !x.Reference && x.Item == reference.Item && x.Method == reference.Method);
                string step = fast.Name;
                Console.WriteLine(string.Format(inv, "{0}: {1:F1} ms, reference implementation {2:F1} ms: {3:F2}x faster ({4:P0} of the reference time)",
                    step, fast.MedianMs, reference.MedianMs, reference.MedianMs / fast.MedianMs, fast.MedianMs / reference.MedianMs));
                Console.WriteLine(string.Format(inv, "{0}: {1:F1} GFLOP/s = {2:F2} of matmul GFLOP/s", step, fast.GflopsPerSecond, fast.GflopsPerSecond / report.MatmulGflops));
            }
            // Each method's step against the SGAN's, at the same batch sizes (methods have no FLOP count: "–" above).
            var methodSteps = fp32.Where(x => x.Item == BenchItem.MethodStep).ToList();
            if (methodSteps.FirstOrDefault(x => x.Method == "sgan") is { } sganStep)
                foreach (var x in methodSteps.Where(x => x != sganStep))
                    Console.WriteLine(string.Format(inv, "{0}: {1:F1} ms = {2:F2}x the sgan method step ({3:F1} ms)", x.Name, x.MedianMs, x.MedianMs / sganStep.MedianMs, sganStep.MedianMs));
            // Each bf16 item against its float32 twin, same sitting.
            foreach (var b in report.Results.Where(x => x.Precision == Models.Precision.Bf16))
                if (fp32.FirstOrDefault(x => !x.Reference && x.Item == b.Item && x.Method == b.Method) is { } f)
                    Console.WriteLine(string.Format(inv, "{0}: {1:F1} ms = {2:F2}x the fp32 {3} ({4:F1} ms)", b.Name, b.MedianMs, b.MedianMs / f.MedianMs, f.Name, f.MedianMs));
            Console.WriteLine(string.Format(inv, "matmul fp32 1024x1024: {0:F1} GFLOP/s (the faster of torch.mm {1:F1} and the same product as a 1x1 convolution {2:F1})",
                report.MatmulGflops, report.Matmul.TorchMmGflops, report.Matmul.ConvolutionGflops));
            if (report.MatmulBf16 is { } mb)
                Console.WriteLine(string.Format(inv, "matmul bf16 1024x1024: {0:F1} GFLOP/s (the faster of torch.mm {1:F1} and the 1x1 convolution {2:F1}); {3:F2}x fp32",
                    mb.Gflops, mb.TorchMmGflops, mb.ConvolutionGflops, mb.Gflops / report.MatmulGflops));
            Console.WriteLine(string.Format(inv, "peak resident memory: {0} MB", report.PeakResidentBytes / (1 << 20)));
            Console.WriteLine("FLOPs are analytic: multiply and add counted; each layer's forward, weight gradient and input gradient");
            Console.WriteLine("only where the step computes it (see FlopCount); bias, batch norm, activations and optimizer left out.");
            if (r.GetValue(json) is { } path)
                File.WriteAllText(path, BenchFile.Json(report, choice));
            return Errors.Ok;
        }));
        return cmd;
    }
}
