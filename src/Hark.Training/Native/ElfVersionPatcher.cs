using System.Buffers.Binary;
using System.Text;

namespace Hark.Training.Native;

/// <summary>One symbol-version requirement of an ELF shared object (a Vernaux entry of .gnu.version_r).</summary>
/// <param name="Library">The needed library, e.g. <c>libstdc++.so.6</c>.</param>
/// <param name="Version">The version name, e.g. <c>GLIBCXX_3.4.32</c>.</param>
/// <param name="FlagsOffset">File offset of the entry's 16-bit <c>vna_flags</c>.</param>
/// <param name="IsWeak">Whether the dynamic loader tolerates the version being absent.</param>
public readonly record struct ElfVersionNeed(string Library, string Version, long FlagsOffset, bool IsWeak);

/// <summary>
/// Reads and edits the symbol-version requirements of little-endian ELF64 files. It exists for one job: marking
/// a version requirement weak (<c>VER_FLG_WEAK</c>), so glibc's loader accepts a library whose build toolchain
/// was newer than the system's libstdc++ when the symbols behind that version are never called. Only the two
/// bytes of <c>vna_flags</c> change; the file keeps its size and layout.
/// </summary>
public static class ElfVersionPatcher
{
    public const ushort VersionFlagWeak = 0x2;

    private const uint SectionTypeVersionNeed = 0x6ffffffe;
    private const int VernauxSize = 16, VerneedSize = 16;

    /// <summary>Every Vernaux entry of <paramref name="elf"/>, in file order.</summary>
    /// <exception cref="InputFileException">The bytes are not a well-formed little-endian ELF64 file.</exception>
    public static IReadOnlyList<ElfVersionNeed> ReadVersionNeeds(ReadOnlySpan<byte> elf, string sourceName)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InputFileException(sourceName, "not an ELF file");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InputFileException(sourceName, "not a little-endian 64-bit ELF file");

        long sectionTableOffset = ReadInt64(elf, 0x28, sourceName);
        int sectionEntrySize = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3A..]);
        int sectionCount = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3C..]);
        if (sectionEntrySize < 64) throw new InputFileException(sourceName, "corrupt ELF section header size");

        var needs = new List<ElfVersionNeed>();
        for (int s = 0; s < sectionCount; s++)
        {
            var header = Slice(elf, sectionTableOffset + (long)s * sectionEntrySize, 64, sourceName);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) != SectionTypeVersionNeed) continue;

            long offset = ReadInt64(header, 0x18, sourceName);
            long size = ReadInt64(header, 0x20, sourceName);
            int stringSection = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[0x28..]);
            int needCount = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[0x2C..]);
            var strings = Slice(elf, sectionTableOffset + (long)stringSection * sectionEntrySize, 64, sourceName);
            long stringsOffset = ReadInt64(strings, 0x18, sourceName);
            long stringsSize = ReadInt64(strings, 0x20, sourceName);
            var section = Slice(elf, offset, size, sourceName);

            long need = 0;
            for (int n = 0; n < needCount; n++)
            {
                var verneed = Slice(section, need, VerneedSize, sourceName);
                int auxCount = BinaryPrimitives.ReadUInt16LittleEndian(verneed[2..]);
                string library = ReadString(elf, stringsOffset, stringsSize, BinaryPrimitives.ReadUInt32LittleEndian(verneed[4..]), sourceName);
                long aux = need + BinaryPrimitives.ReadUInt32LittleEndian(verneed[8..]);
                for (int a = 0; a < auxCount; a++)
                {
                    var vernaux = Slice(section, aux, VernauxSize, sourceName);
                    ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(vernaux[4..]);
                    string version = ReadString(elf, stringsOffset, stringsSize, BinaryPrimitives.ReadUInt32LittleEndian(vernaux[8..]), sourceName);
                    needs.Add(new ElfVersionNeed(library, version, offset + aux + 4, (flags & VersionFlagWeak) != 0));
                    uint nextAux = BinaryPrimitives.ReadUInt32LittleEndian(vernaux[12..]);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                uint nextNeed = BinaryPrimitives.ReadUInt32LittleEndian(verneed[12..]);
                if (nextNeed == 0) break;
                need += nextNeed;
            }
        }
        return needs;
    }

    /// <summary>
    /// Sets <c>VER_FLG_WEAK</c> on the requirement of <paramref name="version"/> from <paramref name="library"/>.
    /// Returns false when there was nothing to change (already weak, or not required at all).
    /// </summary>
    public static bool MarkWeak(Span<byte> elf, string library, string version, string sourceName)
    {
        bool changed = false;
        foreach (var need in ReadVersionNeeds(elf, sourceName))
        {
            if (need.IsWeak || need.Library != library || need.Version != version) continue;
            var flags = elf.Slice((int)need.FlagsOffset, 2);
            BinaryPrimitives.WriteUInt16LittleEndian(flags, (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(flags) | VersionFlagWeak));
            changed = true;
        }
        return changed;
    }

    /// <summary>
    /// <see cref="MarkWeak(Span{byte}, string, string, string)"/> on a file. The patched copy is written beside it
    /// and renamed over it, so a crash never leaves a half-written library and a process that already mapped the
    /// old file keeps its inode (which also keeps a hard-linked package cache untouched).
    /// </summary>
    public static bool MarkWeak(string path, string library, string version)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputFileException(path, $"cannot read ({e.Message})");
        }
        if (!MarkWeak(bytes, library, version, path)) return false;

        string temp = $"{path}.{Environment.ProcessId}.tmp";
        try
        {
            File.WriteAllBytes(temp, bytes);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(temp, File.GetUnixFileMode(path));
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(temp);
            throw new InputFileException(path, $"cannot patch the library in place ({e.Message}); make its folder writable");
        }
        return true;
    }

    private static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> bytes, long offset, long length, string sourceName)
    {
        if (offset < 0 || length < 0 || offset + length > bytes.Length)
            throw new InputFileException(sourceName, $"corrupt ELF file (a structure at offset {offset} runs past the end)");
        return bytes.Slice((int)offset, (int)length);
    }

    private static long ReadInt64(ReadOnlySpan<byte> bytes, int offset, string sourceName)
    {
        ulong value = BinaryPrimitives.ReadUInt64LittleEndian(bytes[offset..]);
        if (value > int.MaxValue) throw new InputFileException(sourceName, "corrupt ELF file (offset out of range)");
        return (long)value;
    }

    private static string ReadString(ReadOnlySpan<byte> elf, long tableOffset, long tableSize, uint index, string sourceName)
    {
        if (index >= tableSize) throw new InputFileException(sourceName, "corrupt ELF file (string index out of range)");
        var table = Slice(elf, tableOffset, tableSize, sourceName)[(int)index..];
        int end = table.IndexOf((byte)0);
        if (end < 0) throw new InputFileException(sourceName, "corrupt ELF file (unterminated string)");
        return Encoding.ASCII.GetString(table[..end]);
    }
}
