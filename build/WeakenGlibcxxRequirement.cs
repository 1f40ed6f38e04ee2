// MSBuild inline task (compiled by RoslynCodeTaskFactory): see Directory.Build.targets for why.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class WeakenGlibcxxRequirement : Task
{
    [Required] public ITaskItem[] Files { get; set; }
    [Required] public string Version { get; set; }

    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;

    static readonly string[] LibstdcxxPaths =
    {
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/lib64/libstdc++.so.6",
    };

    public override bool Execute()
    {
        if (HostProvides(Version))
        {
            Log.LogMessage(MessageImportance.Low, "Host libstdc++ provides " + Version + ": nothing to patch.");
            return true;
        }
        foreach (var item in Files)
        {
            string path = item.ItemSpec;
            try
            {
                string result = Patch(path, Version);
                Log.LogMessage(MessageImportance.Normal, path + ": " + result);
            }
            catch (Exception e)
            {
                Log.LogWarning("Could not mark " + Version + " weak in " + path + ": " + e.Message);
            }
        }
        return true;
    }

    static bool HostProvides(string version)
    {
        byte[] needle = Encoding.ASCII.GetBytes(version + "\0");
        foreach (string p in LibstdcxxPaths)
        {
            if (File.Exists(p) && IndexOf(File.ReadAllBytes(p), needle) >= 0) return true;
        }
        return false;
    }

    static int IndexOf(byte[] hay, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= hay.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && hay[i + j] == needle[j]) j++;
            if (j == needle.Length) return i;
        }
        return -1;
    }

    /// <summary>Sets VER_FLG_WEAK on the version-needed entry named <paramref name="version"/> (ELF64, little-endian).</summary>
    public static string Patch(string path, string version)
    {
        byte[] elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            return "not an ELF file, skipped";
        if (elf[4] != 2 || elf[5] != 1) return "not ELF64 little-endian, skipped";

        ulong shoff = BitConverter.ToUInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        for (int s = 0; s < shnum; s++)
        {
            int sh = checked((int)shoff + s * shentsize);
            if (BitConverter.ToUInt32(elf, sh + 4) != ShtGnuVerneed) continue;
            int secOffset = checked((int)BitConverter.ToUInt64(elf, sh + 0x18));
            int link = (int)BitConverter.ToUInt32(elf, sh + 0x28);
            int strOffset = checked((int)BitConverter.ToUInt64(elf, checked((int)shoff + link * shentsize) + 0x18));

            int vn = secOffset;
            while (true)
            {
                int cnt = BitConverter.ToUInt16(elf, vn + 2);
                int vna = vn + (int)BitConverter.ToUInt32(elf, vn + 8);
                for (int a = 0; a < cnt; a++)
                {
                    string name = CString(elf, strOffset + (int)BitConverter.ToUInt32(elf, vna + 8));
                    if (name == version)
                    {
                        ushort flags = BitConverter.ToUInt16(elf, vna + 4);
                        if ((flags & VerFlgWeak) != 0) return version + " already weak";
                        flags |= VerFlgWeak;
                        elf[vna + 4] = (byte)(flags & 0xff);
                        elf[vna + 5] = (byte)(flags >> 8);
                        string tmp = path + ".patching";
                        File.WriteAllBytes(tmp, elf);
                        // Replace rather than write in place: the output file could be a hard link into the NuGet cache.
                        File.Delete(path);
                        File.Move(tmp, path);
                        return "marked " + version + " weak";
                    }
                    uint next = BitConverter.ToUInt32(elf, vna + 12);
                    if (next == 0) break;
                    vna += (int)next;
                }
                uint vnNext = BitConverter.ToUInt32(elf, vn + 12);
                if (vnNext == 0) break;
                vn += (int)vnNext;
            }
        }
        return "no " + version + " requirement, nothing to do";
    }

    static string CString(byte[] b, int at)
    {
        int end = at;
        while (b[end] != 0) end++;
        return Encoding.ASCII.GetString(b, at, end - at);
    }
}
