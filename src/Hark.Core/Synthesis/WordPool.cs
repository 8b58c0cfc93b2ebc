using System.Text;

namespace Hark.Synthesis;

/// <summary>One word for the <c>_unknown_</c> class; <see cref="Near"/> marks a phonetic neighbour of a keyword.</summary>
public sealed record UnknownWord(string Word, bool Near);

/// <summary>
/// Words to synthesize for the <c>_unknown_</c> class. A spotter learns to reject exactly what it was shown, so the
/// pool is large (every Speech Commands word plus everyday words of many shapes) and it is checked against the
/// keywords by pronunciation: a homophone of a keyword ("know" for "no", "write" for "right") would teach the
/// model that the keyword itself is not the keyword, so it is dropped; a near neighbour ("yet", "yeah" for "yes";
/// "go", "nose" for "no") is the confusion real voices cause most, so it is marked <see cref="UnknownWord.Near"/>
/// for extra speakers.
/// </summary>
public static class WordPool
{
    /// <summary>Built-in candidates: the Speech Commands words, near neighbours of common keywords, everyday words.</summary>
    public static IReadOnlyList<string> Common { get; } =
    [
        // Speech Commands v0.02
        "yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go", "house", "tree", "bird", "dog", "cat",
        "bed", "happy", "wow", "marvin", "sheila", "zero", "one", "two", "three", "four", "five", "six", "seven",
        "eight", "nine", "follow", "forward", "backward", "learn", "visual",
        // short words near common command words
        "yeah", "yep", "yet", "yell", "year", "young", "yesterday", "guess", "less", "mess", "dress", "chess", "nest",
        "test", "west", "best", "desk", "kiss", "this", "now", "new", "knee", "nor", "note", "nose", "know", "snow",
        "show", "slow", "though", "low", "toe", "so", "oh", "go ahead", "hold", "boat", "road", "phone", "home", "cold",
        "old", "lift", "light", "night", "write", "ride", "bright", "white", "top", "shop", "drop", "step", "stuff",
        "cup", "pup", "upon", "town", "brown", "round", "done", "dawn", "in", "an", "of", "often", "awful",
        // everyday words
        "hello", "water", "window", "music", "open", "table", "morning", "number", "paper", "yellow", "apple",
        "orange", "coffee", "kitchen", "garden", "city", "people", "family", "friend", "mother", "father", "sister",
        "brother", "baby", "money", "time", "today", "tonight", "always", "never", "maybe", "please", "thanks",
        "sorry", "okay", "good", "great", "little", "big", "small", "fast", "red", "green", "blue", "black",
        "purple", "circle", "computer", "camera", "picture", "movie", "radio", "doctor", "teacher", "school",
        "office", "pocket", "ticket", "button", "bottle", "letter", "butter", "winter", "summer", "river",
        "mountain", "ocean", "island", "monkey", "tiger", "rabbit", "horse", "chicken", "fish", "bread", "cheese",
        "pizza", "sugar", "turn", "start", "finish", "play", "pause", "next", "back", "volume", "quiet", "wake",
        "sleep", "alarm", "timer", "lamp", "door", "car", "bus", "train", "street", "north", "south", "sun", "moon",
        "star", "cloud", "rain", "fire", "ice", "dance", "sing", "read", "talk", "walk", "run", "jump", "eat",
        "drink", "cook", "wash", "clean", "draw", "paint", "seventeen", "twenty", "hundred", "question", "answer",
    ];

    /// <summary>
    /// The candidates that may stand for <c>_unknown_</c> next to <paramref name="keywords"/>, in candidate order:
    /// keywords and their homophones removed (same phonemes, stress ignored), near neighbours marked. A neighbour
    /// is a word whose phonemes are within <see cref="NearDistance"/> edits of a keyword's, or that starts with a
    /// keyword's phonemes ("yesterday" for "yes").
    /// </summary>
    /// <param name="phonemes">A word's phonemes as a string of symbols (see <see cref="EspeakPhonemes"/>).</param>
    public static IReadOnlyList<UnknownWord> UnknownWords(IEnumerable<string> keywords, IEnumerable<string> candidates,
        Func<string, string> phonemes)
    {
        var keywordSet = keywords.Select(Normalize).ToHashSet(StringComparer.Ordinal);
        var keywordPhonemes = keywordSet.Select(k => Strip(phonemes(k))).Where(p => p.Length > 0).Distinct().ToList();
        var result = new List<UnknownWord>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string raw in candidates)
        {
            string word = Normalize(raw);
            if (word.Length == 0 || keywordSet.Contains(word) || !seen.Add(word)) continue;
            string p = Strip(phonemes(word));
            if (keywordPhonemes.Contains(p)) continue;
            bool near = keywordPhonemes.Any(k => Distance(p, k) <= NearDistance(k) || p.StartsWith(k, StringComparison.Ordinal));
            result.Add(new UnknownWord(word, near));
        }
        return result;
    }

    /// <summary>Edits that still count as near: one for short keywords, about one in four symbols for longer ones.</summary>
    public static int NearDistance(string keywordPhonemes) => Math.Max(1, keywordPhonemes.Length / 4);

    /// <summary>espeak-ng's phoneme mnemonics for <paramref name="word"/> (US English), e.g. <c>n'oU</c> for "no".</summary>
    public static string EspeakPhonemes(string word) =>
        Encoding.UTF8.GetString(ExternalTool.Run(VoiceCatalog.Espeak, VoiceCatalog.Espeak,
            ["-q", "-x", "-v", "en-us", "--", word], TimeSpan.FromSeconds(30))).Trim();

    /// <summary>Phonemes without stress marks, word gaps and line breaks: what "sounds the same" compares.</summary>
    internal static string Strip(string phonemes) =>
        new(phonemes.Where(c => !char.IsWhiteSpace(c) && c is not ('\'' or ',' or '_' or '-')).ToArray());

    private static string Normalize(string word) => string.Join(' ', word.Trim().ToLowerInvariant()
        .Split(' ', StringSplitOptions.RemoveEmptyEntries));

    /// <summary>Levenshtein distance over phoneme symbols (characters of the mnemonic string).</summary>
    internal static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
