package dev.mosaic.cli;

import dev.mosaic.playbook.ModuleReader;
import dev.mosaic.playbook.ModuleSchema;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "module-schema", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Print the JSON Schema of a module's 'with:' block (its params), for editors and checks.",
        footerHeading = "%nExamples:%n",
        footer = {"  mosaic module-schema modules/pxe-boot",
                "  mosaic module-schema modules/openmosix-kernel/module.yml > with.schema.json"})
final class ModuleSchemaCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODULE", description = "The module's directory (modules/NAME) or its module.yml.")
    Path module;

    @Override
    public Integer call() {
        var def = new ModuleReader(List.of()).load(module);
        spec.commandLine().getOut().print(ModuleSchema.render(def));
        spec.commandLine().getOut().flush();
        return Main.OK;
    }
}
