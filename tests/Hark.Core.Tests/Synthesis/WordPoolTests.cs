using Hark.Synthesis;

namespace Hark.Tests.Synthesis;

public class WordPoolTests
{
    // espeak-ng's own mnemonics for these words (US English), so the rules are checked without the synthesizer.
    private static readonly Dictionary<string, string> Phonemes = new()
    {
        ["yes"] = "j'Es", ["no"] = "n'oU", ["know"] = "n'oU", ["go"] = "g'oU", ["nose"] = "n'oUz", ["yet"] = "j'Et",
        ["yesterday"] = "j'Est3deI", ["house"] = "h'aUs", ["right"] = "r'aIt", ["write"] = "r'aIt", ["down"] = "d'aUn",
        ["trick or treat"] = "tr'Ik O@ tr'i:t", ["trick or cheat"] = "tr'Ik O@ tS'i:t", ["kick or treat"] = "k'Ik O@ tr'i:t",
    };

    private static string Lookup(string word) => Phonemes[word];

    [Fact]
    public void Homophones_and_the_keywords_themselves_are_dropped_and_near_neighbours_are_marked()
    {
        var words = WordPool.UnknownWords(["yes", "no"], ["yes", "know", "go", "nose", "yet", "yesterday", "house", "down", "No "], Lookup);

        Assert.Equal(["go", "nose", "yet", "yesterday", "house", "down"], words.Select(w => w.Word));
        Assert.Equal(["go", "nose", "yet", "yesterday"], words.Where(w => w.Near).Select(w => w.Word));
    }

    [Fact]
    public void A_phrase_allows_more_edits_than_a_short_word()
    {
        var words = WordPool.UnknownWords(["trick or treat"], ["trick or cheat", "kick or treat", "house"], Lookup);

        Assert.Equal(["trick or cheat", "kick or treat", "house"], words.Select(w => w.Word));
        Assert.Equal(["trick or cheat", "kick or treat"], words.Where(w => w.Near).Select(w => w.Word));
        var right = WordPool.UnknownWords(["right"], ["write", "house"], Lookup);
        Assert.Equal(["house"], right.Select(w => w.Word));
    }

    [Theory]
    [InlineData("jEs", "jEt", 1)]
    [InlineData("noU", "noUz", 1)]
    [InlineData("noU", "daUn", 3)]
    [InlineData("", "abc", 3)]
    public void Distance_counts_phoneme_symbol_edits(string a, string b, int expected)
    {
        Assert.Equal(expected, WordPool.Distance(a, b));
        Assert.Equal(expected, WordPool.Distance(b, a));
    }

    [Fact]
    public void The_built_in_pool_has_no_duplicates_and_covers_every_speech_commands_word()
    {
        Assert.Equal(WordPool.Common.Count, WordPool.Common.Distinct().Count());
        Assert.True(WordPool.Common.Count >= 200, $"only {WordPool.Common.Count} words");
        foreach (string word in Hark.Datasets.Labels.SpeechCommands10) Assert.Contains(word, WordPool.Common);
    }

    [SkippableFact]
    public void With_espeak_ng_know_and_write_are_homophones_of_no_and_right()
    {
        Skip.IfNot(File.Exists("/usr/bin/espeak-ng"), "espeak-ng is not installed (apt-get install espeak-ng)");

        var words = WordPool.UnknownWords(["no", "right"], WordPool.Common, WordPool.EspeakPhonemes);

        var names = words.Select(w => w.Word).ToList();
        Assert.DoesNotContain("know", names);
        Assert.DoesNotContain("write", names);
        Assert.DoesNotContain("no", names);
        Assert.Contains(words, w => w.Word == "go" && w.Near);
        Assert.Contains(words, w => w.Word == "house" && !w.Near);
    }
}
