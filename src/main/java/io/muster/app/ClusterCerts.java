package io.muster.app;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * {@code muster cluster-certs --out DIR --nodes name1,name2,...}: a private certificate authority
 * for one cluster and a certificate for each node, which the event bus requires both ways (mutual
 * TLS). Written as PEM:
 * <pre>
 *   DIR/ca.crt            the cluster's CA certificate
 *   DIR/ca.key            the CA's key (mode 600): needed only to add nodes later; keep it off the nodes
 *   DIR/NAME/node.crt     a node's certificate: its name as a DNS (or IP) SAN, plus localhost and 127.0.0.1
 *   DIR/NAME/node.key     its key (mode 600)
 *   DIR/NAME/ca.crt       a copy of the CA certificate, so that one folder is all a node needs
 * </pre>
 * A folder that already holds a CA gets new nodes signed by that CA; an existing node is kept, never
 * overwritten. Keys are EC P-256; node certificates serve as both TLS server and client.
 */
public final class ClusterCerts {
  public static final String USAGE = "usage: muster cluster-certs --out DIR --nodes name1,name2,... [--days N]";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?");
  private static final String SIGNATURE = "SHA256withECDSA";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** What a run wrote: the CA (made or reused) and the nodes made now and kept from before. */
  public record Written(Path ca, boolean caMade, List<String> made, List<String> kept) { }

  private ClusterCerts() {
  }

  /** The command line: parses the arguments, writes, says what it did. Returns the exit code. */
  static int run(String[] args, java.io.PrintStream out, java.io.PrintStream err) {
    Path dir = null;
    List<String> nodes = List.of();
    int days = 825;
    try {
      for (int i = 1; i < args.length; i++) {
        switch (args[i]) {
          case "--out" -> dir = Path.of(args[++i]);
          case "--nodes" -> nodes = List.of(args[++i].split("\\s*,\\s*"));
          case "--days" -> days = Integer.parseInt(args[++i]);
          default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
        }
      }
      if (dir == null || nodes.isEmpty()) {
        throw new IllegalArgumentException("--out and --nodes are required");
      }
      report(dir, write(dir, nodes, days), out);
      return 0;
    } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
      err.println("cluster-certs: " + (e instanceof ArrayIndexOutOfBoundsException ? "a value is missing" : e.getMessage())
          + "\n" + USAGE);
      return 2;
    } catch (UncheckedIOException | IllegalStateException e) {
      err.println("cluster-certs: " + e.getMessage());
      return 1;
    }
  }

  private static void report(Path dir, Written w, java.io.PrintStream out) {
    out.println((w.caMade() ? "made the cluster CA " : "signed with the existing CA ") + w.ca());
    w.made().forEach(n -> out.println("made " + dir.resolve(n) + "/node.crt, node.key, ca.crt"));
    w.kept().forEach(n -> out.println("kept " + dir.resolve(n) + " (it exists; delete it to make it anew)"));
    out.println("Give each node its own folder and set MUSTER_CLUSTER_TLS_CERT=.../node.crt,"
        + " MUSTER_CLUSTER_TLS_KEY=.../node.key, MUSTER_CLUSTER_TLS_CA=.../ca.crt. Keep " + dir.resolve("ca.key")
        + " off the nodes.");
  }

  /** Makes (or reuses) the CA in {@code dir} and a certificate valid {@code days} days for each new node. */
  public static Written write(Path dir, List<String> nodes, int days) {
    Set<String> names = new LinkedHashSet<>();
    for (String node : nodes) {
      if (!NAME.matcher(node).matches() && !isAddress(node)) {
        throw new IllegalArgumentException("'" + node + "' is not a host name or address a node can be reached by");
      }
      if (!names.add(node) || "ca.crt".equals(node) || "ca.key".equals(node)) {
        throw new IllegalArgumentException("'" + node + "' is named twice or is not a usable node name");
      }
    }
    if (days < 1) {
      throw new IllegalArgumentException("--days must be 1 or more");
    }
    try {
      Files.createDirectories(dir);
      Path caCrt = dir.resolve("ca.crt");
      Path caKey = dir.resolve("ca.key");
      boolean caMade = !Files.exists(caCrt);
      Authority ca = caMade ? newAuthority(caCrt, caKey) : readAuthority(caCrt, caKey);
      List<String> made = new ArrayList<>();
      List<String> kept = new ArrayList<>();
      for (String node : names) {
        Path folder = dir.resolve(node);
        if (Files.exists(folder.resolve("node.crt")) || Files.exists(folder.resolve("node.key"))) {
          kept.add(node);
          continue;
        }
        Files.createDirectories(folder);
        writeNode(ca, node, folder, Duration.ofDays(days));
        Files.writeString(folder.resolve("ca.crt"), pem(ca.cert()));
        made.add(node);
      }
      return new Written(caCrt, caMade, made, kept);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write to " + dir + ": " + e.getMessage(), e);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot make certificates: " + e.getMessage(), e);
    }
  }

  private record Authority(X509Certificate cert, PrivateKey key) { }

  private static Authority newAuthority(Path crt, Path key) throws GeneralSecurityException, OperatorCreationException,
      IOException {
    KeyPair pair = keyPair();
    X500Name name = new X500Name("CN=Muster cluster CA " + new BigInteger(32, RANDOM).toString(16) + ",O=Muster");
    Instant now = Instant.now();
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minusSeconds(300)),
        Date.from(now.plus(Duration.ofDays(3650))), name, pair.getPublic());
    JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
    X509Certificate cert = sign(b, pair.getPrivate());
    writeSecret(key, pem(pair.getPrivate()));
    Files.writeString(crt, pem(cert));
    return new Authority(cert, pair.getPrivate());
  }

  private static Authority readAuthority(Path crt, Path key) throws GeneralSecurityException, IOException {
    if (!Files.exists(key)) {
      throw new IllegalStateException(crt + " exists but " + key + " does not: new nodes cannot be signed by that CA");
    }
    X509Certificate cert = readCertificate(crt);
    String body = Files.readString(key).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    PrivateKey pk = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
    return new Authority(cert, pk);
  }

  private static void writeNode(Authority ca, String node, Path folder, Duration valid)
      throws GeneralSecurityException, OperatorCreationException, IOException {
    KeyPair pair = keyPair();
    Instant now = Instant.now();
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca.cert(), serial(), Date.from(now.minusSeconds(300)),
        Date.from(now.plus(valid)), new X500Name("CN=" + node + ",O=Muster"), pair.getPublic());
    JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    b.addExtension(Extension.extendedKeyUsage, false,
        new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
    b.addExtension(Extension.subjectAlternativeName, false, subjectNames(node));
    b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca.cert()));
    b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
    X509Certificate cert = sign(b, ca.key());
    writeSecret(folder.resolve("node.key"), pem(pair.getPrivate()));
    Files.writeString(folder.resolve("node.crt"), pem(cert));
  }

  private static GeneralNames subjectNames(String node) {
    Set<GeneralName> names = new LinkedHashSet<>();
    names.add(new GeneralName(isAddress(node) ? GeneralName.iPAddress : GeneralName.dNSName, node));
    names.add(new GeneralName(GeneralName.dNSName, "localhost"));
    names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
    return new GeneralNames(names.toArray(GeneralName[]::new));
  }

  /** Reads a PEM (or DER) X.509 certificate. */
  static X509Certificate readCertificate(Path file) throws GeneralSecurityException, IOException {
    try (var in = Files.newInputStream(file)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key)
      throws OperatorCreationException, GeneralSecurityException {
    return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(SIGNATURE).build(key)));
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return g.generateKeyPair();
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE);
  }

  /** A key file, created readable by its owner only before a byte of the key is in it. */
  private static void writeSecret(Path file, String content) throws IOException {
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException notPosix) {
      Files.createFile(file);
    } catch (FileAlreadyExistsException e) {
      throw new IllegalStateException(file + " already exists; not overwritten");
    }
    Files.writeString(file, content);
  }

  private static String pem(Object o) throws IOException {
    StringWriter s = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(s)) {
      w.writeObject(o instanceof PrivateKey k ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(k, null) : o);
    }
    return s.toString();
  }

  private static boolean isAddress(String s) {
    if (!s.matches("[0-9.]+") && !s.contains(":")) {
      return false;
    }
    try {
      InetAddress.getByName(s);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
