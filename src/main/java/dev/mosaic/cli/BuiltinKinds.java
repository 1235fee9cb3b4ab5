package dev.mosaic.cli;

import dev.mosaic.resource.Kinds;
import dev.mosaic.resource.archive.ArchiveType;
import dev.mosaic.resource.build.BuildType;
import dev.mosaic.resource.copy.CopyType;
import dev.mosaic.resource.kconfig.KernelConfigType;
import dev.mosaic.resource.patch.PatchType;
import dev.mosaic.resource.pkg.PackageType;
import dev.mosaic.resource.directory.DirectoryType;
import dev.mosaic.resource.dnsmasq.DnsmasqType;
import dev.mosaic.resource.file.FileType;
import dev.mosaic.resource.image.NodeImageType;
import dev.mosaic.resource.initrd.InitrdType;
import dev.mosaic.resource.pxe.PxeType;
import dev.mosaic.resource.tftp.TftpTreeType;
import dev.mosaic.resource.link.LinkType;
import dev.mosaic.resource.service.ServiceType;
import dev.mosaic.resource.template.TemplateType;

import java.util.List;

/** The one registration point of resource kinds: add a kind here, in its folder and in schemas/. */
public final class BuiltinKinds {

    private BuiltinKinds() {
    }

    public static Kinds create() {
        return new Kinds(List.of(
                new FileType(),
                new DirectoryType(),
                new LinkType(),
                new CopyType(),
                new ArchiveType(),
                new PackageType(),
                new PatchType(),
                new KernelConfigType(),
                new BuildType(),
                new InitrdType(),
                new NodeImageType(),
                new TftpTreeType(),
                new PxeType(),
                new DnsmasqType(),
                new TemplateType(),
                new ServiceType()));
    }
}
