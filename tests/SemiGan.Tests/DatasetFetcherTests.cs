using SemiGan.Data;

namespace SemiGan.Tests;

/// <summary>The fetcher against a file server on the loopback address, on a tiny dataset whose SHA-256s the test computes.</summary>
public class DatasetFetcherTests
{
    const int Train = 12, Test = 6;

    /// <summary>The tiny dataset's files as .gz, served under <paramref name="prefix"/>.</summary>
    static Dictionary<string, byte[]> Served(string prefix, DatasetDescriptor d) =>
        Synthetic.Files(d, Train, Test).ToDictionary(kv => $"/{prefix}/{kv.Key.Name}.gz", kv => Synthetic.Gzip(kv.Value));

    static void AssertNothingUnverified(string folder, DataFile bad)
    {
        Assert.False(File.Exists(Path.Combine(folder, bad.Name)), bad.Name);
        Assert.Empty(Directory.GetFiles(folder, "*.part"));
    }

    public static TheoryData<string> Corruptions => ["tampered", "truncated", "garbled"];

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void A_bad_download_is_rejected_and_never_written_under_its_name(string corruption)
    {
        var tiny = Synthetic.Tiny(Train, Test);
        var files = Served("m", tiny);
        string key = $"/m/{tiny.TrainLabels.Name}.gz";
        byte[] good = files[key];
        files[key] = corruption switch
        {
            // Valid gzip of other contents: only the SHA-256 can tell.
            "tampered" => Synthetic.Gzip(Synthetic.Files(tiny, Train, Test, seed: 2)[tiny.TrainImages]),
            "truncated" => good[..(good.Length / 2)],
            _ => good.Select((b, i) => i >= 10 ? (byte)(b ^ 0x5a) : b).ToArray(),
        };
        using var server = new LoopbackHttpServer(files);
        string folder = Synthetic.TempDir();

        var e = Assert.Throws<DataException>(() => DatasetFetcher.EnsurePresent(tiny with { Mirrors = [server.BaseUrl + "m/"] }, folder));

        Assert.Contains("no public mirror gave verified files", e.Message);
        AssertNothingUnverified(folder, tiny.TrainLabels);
        // The file before it was good and stays; nothing after it was fetched from that mirror.
        Assert.True(File.Exists(Path.Combine(folder, tiny.TrainImages.Name)));
        Assert.False(File.Exists(Path.Combine(folder, tiny.TestImages.Name)));
        if (corruption == "tampered") Assert.Contains(tiny.TrainLabels.Sha256, e.Message);
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("tampered")]
    public void When_the_first_mirror_fails_the_next_is_tried_and_its_files_verified(string firstMirror)
    {
        var tiny = Synthetic.Tiny(Train, Test);
        var files = Served("good", tiny);
        if (firstMirror == "tampered") // one extra byte at the end of each file: valid gzip and IDX header, wrong SHA-256
            foreach (var (f, raw) in Synthetic.Files(tiny, Train, Test))
                files[$"/bad/{f.Name}.gz"] = Synthetic.Gzip([.. raw, 0]);
        using var server = new LoopbackHttpServer(files);
        string folder = Path.Combine(Synthetic.TempDir(), "sub");
        var log = new List<string>();

        string result = DatasetFetcher.EnsurePresent(tiny with { Mirrors = [server.BaseUrl + "bad/", server.BaseUrl + "good/"] }, folder, log.Add);

        Assert.Equal($"Tiny fetched from a public mirror into {folder}", result);
        Assert.Equal($"/bad/{tiny.TrainImages.Name}.gz", server.Requests.First());
        Assert.Equal(tiny.Files.Select(f => $"/good/{f.Name}.gz"), server.Requests.Skip(1));
        Assert.Contains(log, l => l.StartsWith($"mirror {server.BaseUrl}bad/"));
        using var ds = ImageDataset.Load(tiny, folder, verify: true);
        Assert.Equal((Train, Test), (ds.TrainCount, ds.TestCount));
        Assert.Equal($"Tiny already present in {folder}", DatasetFetcher.EnsurePresent(tiny, folder));
    }

    /// <summary>A package source that "unpacks" to a folder the test filled.</summary>
    sealed record FolderSource(string Folder) : PackageSource("test-package", "")
    {
        public override string Command => "copy " + Folder;
        public override string Unpack(string tmp, DatasetDescriptor d, Action<string> log) => Folder;
    }

    [Fact]
    public void When_no_mirror_answers_the_package_fallback_is_used_and_verified()
    {
        var tiny = Synthetic.Tiny(Train, Test);
        string package = Synthetic.TempDir();
        foreach (var (f, raw) in Synthetic.Files(tiny, Train, Test))
            File.WriteAllBytes(Path.Combine(package, f.Name + ".gz"), Synthetic.Gzip(raw));
        using var server = new LoopbackHttpServer([]);
        var d = tiny with { Mirrors = [server.BaseUrl + "none/"], Fallback = new FolderSource(package) };
        string folder = Synthetic.TempDir();

        Assert.Equal($"Tiny fetched with 'copy {package}' into {folder}", DatasetFetcher.EnsurePresent(d, folder));
        using (var ds = ImageDataset.Load(tiny, folder)) Assert.Equal(Train, ds.TrainCount);

        // A package whose file differs from the descriptor is refused, and nothing is left under its name.
        File.WriteAllBytes(Path.Combine(package, tiny.TestLabels.Name + ".gz"), Synthetic.Gzip(Synthetic.Idx(new byte[Test], Test)));
        string second = Synthetic.TempDir();
        var e = Assert.Throws<DataException>(() => DatasetFetcher.EnsurePresent(d, second));
        Assert.Contains($"{tiny.TestLabels.Name} from test-package", e.Message);
        Assert.Contains(tiny.TestLabels.Sha256, e.Message);
        AssertNothingUnverified(second, tiny.TestLabels);
    }

    [Fact]
    public void A_failing_apt_get_is_one_line_naming_the_command_and_the_fix()
    {
        // An unknown package fails in apt-get's local lists, without any download.
        var d = Synthetic.Tiny(Train, Test) with { Fallback = new DebianPackageSource("semigan-no-such-package", "x") };
        string folder = Synthetic.TempDir();
        var e = Assert.Throws<DataException>(() => DatasetFetcher.EnsurePresent(d, folder));
        Assert.DoesNotContain('\n', e.Message);
        if (File.Exists("/usr/bin/apt-get"))
            Assert.StartsWith("Tiny: 'apt-get download semigan-no-such-package' failed (E: ", e.Message);
        Assert.Contains(File.Exists("/usr/bin/apt-get") ? "run 'apt-get update' (as root) once and retry" : "apt-get is not available", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(folder));
    }
}
