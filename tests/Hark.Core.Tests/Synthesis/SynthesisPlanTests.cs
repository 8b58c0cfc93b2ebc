using Hark.Synthesis;

namespace Hark.Tests.Synthesis;

public class SynthesisPlanTests
{
    private static readonly VoiceCatalog Catalog = new(
        ["en-029", "en-gb", "en-gb-scotland", "en-gb-x-gbclan", "en-gb-x-gbcwmd", "en-gb-x-rp", "en-us", "en-us-nyc"],
        [.. Enumerable.Range(0, 101).Select(i => $"v{i}")],
        ["awb", "kal", "kal16", "rms", "slt"]);

    [Fact]
    public void Enough_speakers_cover_every_accent_variant_and_flite_voice()
    {
        int accents = Catalog.EspeakAccents.Count, rounds = (Catalog.EspeakVariants.Count + accents - 1) / accents;
        var speakers = SynthesisPlan.Speakers(Catalog, rounds * (accents + 2), seed: 1);
        var espeak = speakers.Where(s => s.Engine == VoiceCatalog.Espeak).ToList();
        Assert.Equal(Catalog.EspeakAccents.ToHashSet(), espeak.Select(s => s.Voice).ToHashSet());
        Assert.Equal(Catalog.EspeakVariants.ToHashSet(), espeak.Select(s => s.Variant!).ToHashSet());
        Assert.Equal(Catalog.FliteVoices.ToHashSet(), speakers.Where(s => s.Engine == VoiceCatalog.Flite).Select(s => s.Voice).ToHashSet());
    }

    [Fact]
    public void A_small_plan_still_spans_all_accents_and_both_engines()
    {
        var speakers = SynthesisPlan.Speakers(Catalog, 10, seed: 5);
        Assert.Equal(Catalog.EspeakAccents.Count, speakers.Where(s => s.Engine == VoiceCatalog.Espeak).Select(s => s.Voice).Distinct().Count());
        Assert.Equal(2, speakers.Count(s => s.Engine == VoiceCatalog.Flite));
        Assert.Equal(VoiceCatalog.Flite, speakers[0].Engine);
        Assert.Equal(VoiceCatalog.Espeak, speakers[1].Engine);
    }

    [Fact]
    public void Plan_is_deterministic_by_seed_and_ids_are_unique()
    {
        var a = SynthesisPlan.Takes(Catalog, ["yes", "no"], perWord: 2000, repetitions: 1, seed: 11);
        var b = SynthesisPlan.Takes(Catalog, ["yes", "no"], perWord: 2000, repetitions: 1, seed: 11);
        var c = SynthesisPlan.Takes(Catalog, ["yes", "no"], perWord: 2000, repetitions: 1, seed: 12);
        Assert.Equal(a, b);
        Assert.NotEqual(a.Select(t => t.Speaker.Id), c.Select(t => t.Speaker.Id));
        Assert.All(a.GroupBy(t => t.Word), word => Assert.Equal(2000, word.Select(t => t.FileName).Distinct().Count()));
    }

    [Fact]
    public void Every_speaker_says_every_word_the_requested_number_of_times()
    {
        var takes = SynthesisPlan.Takes(Catalog, ["yes", "no", "trick or treat"], perWord: 9, repetitions: 3, seed: 2);
        Assert.Equal(27, takes.Count);
        foreach (var speaker in takes.GroupBy(t => t.Speaker.Id))
        {
            Assert.Equal(9, speaker.Count());
            Assert.All(speaker.GroupBy(t => t.Word), w => Assert.Equal([0, 1, 2], w.Select(t => t.Repetition).Order()));
        }
    }

    [Fact]
    public void Speaker_id_depends_only_on_the_voice_descriptor()
    {
        var a = new SynthSpeaker(VoiceCatalog.Espeak, "en-us", "f3", 45, 150, 103);
        Assert.Equal(a.Id, (a with { }).Id);
        Assert.NotEqual(a.Id, (a with { Pitch = 55 }).Id);
        Assert.Matches("^[0-9a-f]{8}$", a.Id);
    }

    [Fact]
    public void Listings_from_espeak_and_flite_are_parsed()
    {
        const string voices = """
            Pty Language       Age/Gender VoiceName          File                 Other Languages
             2  en-gb           --/M      English_(Great_Britain) gmw/en               (en 2)
             3  en-uk           --/M      english-mb-en1     mb/mb-en1            (en-gb 3)(en 2)
             2  en-us           --/M      English_(America)  gmw/en-US            (en 3)
             5  en-us           --/F      us-mbrola-1        mb/mb-us1            (en 8)
             5  variant         --/M      Storm              !v/Storm             (en-us 5)
             5  en-us-nyc       --/M      English_(America,_New_York_City) gmw/en-US-nyc
            """;
        Assert.Equal(["en-gb", "en-us", "en-us-nyc"], VoiceCatalog.ParseEspeakAccents(voices));
        Assert.Equal(["Storm"], VoiceCatalog.ParseEspeakVariants(voices));
        Assert.Equal(["awb", "kal", "slt"], VoiceCatalog.ParseFliteVoices("Voices available: kal awb slt \n"));
    }
}
