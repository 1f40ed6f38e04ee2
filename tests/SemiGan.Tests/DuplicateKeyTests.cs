using System.Text.Json;
using System.Text.Json.Nodes;
using SemiGan.Config;

namespace SemiGan.Tests;

/// <summary>A key written twice in an experiment file (or a --set value), at any depth: one line naming the key and its path, exit 2.</summary>
public class DuplicateKeyTests
{
    [Theory]
    [InlineData("""{ "name": "p", "seeds": [1], "epochs": 1, "labels": 100, "epochs": -1 }""", "epochs")]
    [InlineData("""{ "name": "p", "seeds": [1], "epochs": 1, "labels": 100, "methods": ["sgan"], "methodSettings": { "sgan": { "dropout": 0.1, "dropout": 0.2 } } }""", "methodSettings.sgan.dropout")]
    [InlineData("""{ "name": "p", "seeds": [1], "epochs": 1, "labels": 100, "comparisons": [["sgan", "baseline"]], "x": [ {}, { "a": { "b": 1, /* c */ "b": 2 } } ] }""", "x[1].a.b")]
    public void A_key_given_twice_is_one_line_naming_it_and_its_path_with_exit_2(string json, string path)
    {
        string dir = Synthetic.TempDir(), exp = Path.Combine(dir, "dup.json");
        File.WriteAllText(exp, json);
        foreach (var args in new[] { new[] { "validate", exp }, ["run", exp, "--out", Path.Combine(dir, "out")], ["run", exp, "--dry-run"] })
        {
            var (code, output, err) = CliCapture.Run(args);
            Assert.True(code == 2, $"{string.Join(" ", args)}: exit {code}: {err}");
            string line = Assert.Single(err.TrimEnd().Split('\n'));
            Assert.Equal($"semigan: error: {exp}: {path}: the key '{path.Split('.')[^1].Split('[')[0]}' is given twice in one object; keep one of the two; fix the experiment file.", line);
            Assert.Equal("", output);
            Assert.Equal(["dup.json"], Directory.GetFileSystemEntries(dir).Select(Path.GetFileName));
        }
    }

    [Fact]
    public void A_key_given_twice_in_a_set_value_is_refused_too()
    {
        string dir = Synthetic.TempDir(), exp = Path.Combine(dir, "ok.json");
        File.WriteAllText(exp, """{ "name": "ok", "labels": 100, "seeds": [1], "epochs": 1 }""");
        var (code, output, err) = CliCapture.Run("validate", exp, "--set", """methodSettings={"sgan": {"dropout": 0.1, "dropout": 0.2}}""");
        Assert.Equal(2, code);
        Assert.Contains("methodSettings.sgan.dropout: the key 'dropout' is given twice", Assert.Single(err.TrimEnd().Split('\n')));
        Assert.Equal("", output);
    }

    /// <summary>Against the definition: System.Text.Json's own duplicate check (which names no path) agrees on which texts have one.</summary>
    [Fact]
    public void Finds_a_duplicate_exactly_when_System_Text_Json_refuses_one()
    {
        var rng = new Random(25);
        string[] keys = ["a", "b", "c"];
        string Value(int depth) => rng.Next(depth > 3 ? 2 : 4) switch
        {
            0 => rng.Next(100).ToString(System.Globalization.CultureInfo.InvariantCulture),
            1 => "\"s\"",
            2 => "[" + string.Join(",", Enumerable.Range(0, rng.Next(3)).Select(_ => Value(depth + 1))) + "]",
            _ => "{" + string.Join(",", Enumerable.Range(0, rng.Next(4)).Select(_ => $"\"{keys[rng.Next(keys.Length)]}\":{Value(depth + 1)}")) + "}",
        };
        int withDuplicates = 0;
        for (int i = 0; i < 2000; i++)
        {
            string json = "{" + string.Join(",", Enumerable.Range(0, rng.Next(4)).Select(_ => $"\"{keys[rng.Next(keys.Length)]}\":{Value(1)}")) + "}";
            bool refused;
            try { JsonNode.Parse(json, null, new JsonDocumentOptions { AllowDuplicateProperties = false }); refused = false; }
            catch (JsonException) { refused = true; }
            var found = JsonDuplicates.Find(json);
            Assert.True(refused == found.HasValue, json);
            if (found is var (key, path))
            {
                withDuplicates++;
                Assert.EndsWith(key, path);
            }
        }
        Assert.InRange(withDuplicates, 200, 1800); // both kinds were generated
    }
}
