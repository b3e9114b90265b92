package io.taps.build;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package structure of taps-core, checked on its compiled classes with ArchUnit (DEVELOPERS.md:
 * "no package cycles"; design.md Q-15: "no protocol-specific branch lives outside its plug-in").
 *
 * <p>Protocol implementations are the packages that hold a {@link io.taps.spi.ProtocolStack} and
 * what only it uses: {@code internal.stack} (TCP, TLS/TCP, UDP on one channel each, and the channel
 * machinery every stack attaches to), {@code internal.quic}, {@code internal.multicast}, and
 * {@code internal.protocol} (the registry of built-ins). Everything else (selection, gathering,
 * racing, establishment, listening, the Connection and its group) must work for any stack a user
 * registers, so it may not name a built-in one.
 */
class PackageArchitectureTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.taps");

    private static final String[] PROTOCOL_IMPLEMENTATIONS = {"io.taps.internal.stack..", "io.taps.internal.quic..",
        "io.taps.internal.multicast..", "io.taps.internal.protocol..", "io.taps.internal.mptcp..",
        "io.taps.internal.rendezvous.."};

    /** The protocol-independent core: it sees stacks only through io.taps.spi. */
    private static final String[] PROTOCOL_INDEPENDENT_CORE = {"io.taps.internal.establish..",
        "io.taps.internal.race..", "io.taps.internal.gather..", "io.taps.internal.selection..",
        "io.taps.internal.listen..", "io.taps.internal.group..", "io.taps.internal.conn..",
        "io.taps.internal.path..", "io.taps.internal.observe.."};

    private static final String[] PUBLIC_PACKAGES = {"io.taps", "io.taps.monitor", "io.taps.properties",
        "io.taps.endpoint", "io.taps.security", "io.taps.spi", "io.taps.framer.."};

    /**
     * Internal subpackages form no cycle (the group package reaches its member Connections through
     * {@code internal.group.GroupMember}, never {@code internal.conn}).
     */
    @Test
    void internalPackagesFormNoCycle() {
        slices().matching("io.taps.internal.(*)..").namingSlices("internal.$1").should().beFreeOfCycles()
                .check(CLASSES);
    }

    /**
     * The public packages form no cycle, with two slices that are one by design: {@code io.taps}
     * and {@code io.taps.monitor} reference each other (a Connection returns its
     * EstablishmentReport, a TransportObserver is told about Connections), and so do
     * {@code io.taps} and {@code io.taps.framer} (a Preconnection takes FramerFactory, a Framer
     * reads the MessageContext, RFC 9622 §9.1.2). The error vocabulary every public package throws
     * ({@code ErrorReason}, {@code TransportServicesException}, RFC 9622 §13) depends on nothing
     * and is a slice of its own, so that properties, endpoints and security parameters can throw it
     * without a cycle with the API that uses them.
     */
    @Test
    void publicPackagesFormNoCycle() {
        slices().assignedFrom(new PublicSlices()).should().beFreeOfCycles().check(CLASSES);
    }

    /**
     * Public packages reach the internals only through the bootstrap: TransportServices builds the
     * engine, Preconnection hands it its snapshot. The built-in length-prefix and TLV framers share
     * one internal header codec (a parser, no engine state); that is the one other edge allowed.
     */
    @Test
    void publicPackagesDependOnTheInternalsOnlyThroughTheBootstrap() {
        noClasses().that().resideInAnyPackage(PUBLIC_PACKAGES)
                .and(describe("are not the bootstrap (TransportServices, Preconnection)",
                        (JavaClass c) -> !c.getName().startsWith("io.taps.TransportServices")
                                && !c.getName().startsWith("io.taps.Preconnection")))
                .should().dependOnClassesThat(describe("are internal (but the built-in framers' header codec)",
                        (JavaClass c) -> c.getPackageName().startsWith("io.taps.internal")
                                && !c.getName().startsWith("io.taps.internal.framer.HeaderCodec")))
                .check(CLASSES);
    }

    /** The protocol SPI is public API: it never exposes an internal type. */
    @Test
    void theProtocolSpiDependsOnNoInternalType() {
        noClasses().that().resideInAPackage("io.taps.spi..").should().dependOnClassesThat()
                .resideInAPackage("io.taps.internal..").check(CLASSES);
    }

    /** Only protocol implementations know which built-in stack they are (no StackKind switch elsewhere). */
    private static final ArchRule ONLY_PLUG_INS_NAME_A_BUILT_IN_STACK = noClasses().that()
            .resideOutsideOfPackages(PROTOCOL_IMPLEMENTATIONS).should().dependOnClassesThat()
            .haveFullyQualifiedName("io.taps.internal.stack.StackKind");

    @Test
    void onlyProtocolImplementationsNameABuiltInStack() {
        ONLY_PLUG_INS_NAME_A_BUILT_IN_STACK.check(CLASSES);
    }

    /**
     * QUIC lives in its plug-in. Besides the registry, two places hold QUIC's TLS state because they
     * hold every stack's: the security package builds its TLS 1.3 contexts next to the TCP ones
     * (one SecurityParameters, one verification, Q-17) and a cache scope keeps its session tickets
     * next to the TLS sessions (isolateSession, RFC 9623 §9.1).
     */
    private static final ArchRule QUIC_ONLY_IN_ITS_PLUG_IN = noClasses().that()
            .resideOutsideOfPackages("io.taps.internal.quic..", "io.taps.internal.protocol..",
                    "io.taps.internal.security..", "io.taps.internal.cache..")
            .should().dependOnClassesThat().resideInAnyPackage("io.netty.handler.codec.quic..",
                    "io.taps.internal.quic..");

    @Test
    void quicIsReferencedOnlyByItsPlugIn() {
        QUIC_ONLY_IN_ITS_PLUG_IN.check(CLASSES);
    }

    /**
     * The protocol-independent core opens no channel and names no concrete transport: no I/O
     * transport classes (epoll, NIO, kqueue, unix), no QUIC codec, no TLS handler, no socket or
     * datagram packet type, no bootstrap. A stack brings those; the core gets a Link or the SPI.
     */
    private static final ArchRule CORE_USES_NO_TRANSPORT_TYPE = noClasses().that()
            .resideInAnyPackage(PROTOCOL_INDEPENDENT_CORE).should().dependOnClassesThat(
                resideInAnyPackage("io.netty.channel.epoll..", "io.netty.channel.nio..", "io.netty.channel.kqueue..",
                        "io.netty.channel.unix..", "io.netty.channel.socket.nio..", "io.netty.handler.codec.quic..",
                        "io.netty.bootstrap..")
                        .or(describe("are a protocol's channel or packet type", (JavaClass c) -> List.of(
                                "io.netty.handler.ssl.SslHandler", "io.netty.channel.socket.DatagramPacket",
                                "io.netty.channel.socket.SocketChannel", "io.netty.channel.socket.ServerSocketChannel")
                                .contains(c.getName()))));

    @Test
    void theProtocolIndependentCoreUsesNoProtocolSpecificChannelType() {
        CORE_USES_NO_TRANSPORT_TYPE.check(CLASSES);
    }

    /**
     * The handler that ends every stack's pipeline asks no channel what kind it is: a flow that ends
     * by itself once finished both ways (a QUIC stream after both FINs) says so through its link,
     * {@code ConnectionHandler.flowCompleted()}, so a new stack needs no change here.
     */
    @Test
    void theConnectionHandlerNamesNoChannelType() {
        noClasses().that().haveFullyQualifiedName("io.taps.internal.stack.ConnectionHandler").should()
                .dependOnClassesThat(describe("are a kind of channel",
                        (JavaClass c) -> c.isAssignableTo(io.netty.channel.Channel.class)
                                && !c.getName().equals(io.netty.channel.Channel.class.getName())))
                .check(CLASSES);
    }

    /** The protocol rules are not vacuous: a core class that branches on a stack breaks all three. */
    @Test
    void theProtocolRulesCatchABranchInTheCore() {
        JavaClasses violation = new ClassFileImporter().importClasses(
                io.taps.internal.establish.ArchitectureViolationFixture.class);
        assertThat(ONLY_PLUG_INS_NAME_A_BUILT_IN_STACK.evaluate(violation).hasViolation()).isTrue();
        assertThat(QUIC_ONLY_IN_ITS_PLUG_IN.evaluate(violation).hasViolation()).isTrue();
        assertThat(CORE_USES_NO_TRANSPORT_TYPE.evaluate(violation).hasViolation()).isTrue();
    }

    /**
     * No branch on a stack's name in the protocol-independent core either (a string compare is
     * invisible to the bytecode rules above).
     */
    @Test
    void theProtocolIndependentCoreDoesNotBranchOnStackNames() {
        Pattern nameBranch = Pattern.compile("name\\(\\)\\s*\\.\\s*(endsWith|startsWith|equals|equalsIgnoreCase|"
                + "contains)\\(|\"(TCP|UDP|QUIC|TLS/TCP)\"\\s*\\.\\s*equals");
        List<String> offenders;
        try (Stream<Path> files = Files.walk(Path.of("src/main/java/io/taps/internal"))) {
            offenders = files.filter(file -> file.toString().endsWith(".java"))
                    .filter(file -> Stream.of("stack", "quic", "multicast", "protocol", "mptcp")
                            .noneMatch(plugIn -> file.toString().replace('\\', '/').contains("/internal/" + plugIn + "/")))
                    .filter(file -> nameBranch.matcher(read(file)).find())
                    .map(file -> file.toString().replace('\\', '/'))
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(offenders).isEmpty();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The public slices described at {@link #publicPackagesFormNoCycle()}. */
    private static final class PublicSlices implements SliceAssignment {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            String name = javaClass.getName();
            String pkg = javaClass.getPackageName();
            if (!pkg.startsWith("io.taps") || pkg.startsWith("io.taps.internal")) {
                return SliceIdentifier.ignore();
            }
            if (name.startsWith("io.taps.ErrorReason") || name.startsWith("io.taps.TransportServicesException")) {
                return SliceIdentifier.of("errors");
            }
            if (pkg.equals("io.taps") || pkg.equals("io.taps.monitor") || pkg.equals("io.taps.framer")) {
                return SliceIdentifier.of("api (io.taps, io.taps.monitor, io.taps.framer)");
            }
            return SliceIdentifier.of(pkg);
        }

        @Override
        public String getDescription() {
            return "public slices: the API, the error vocabulary, and each other public package";
        }
    }
}
