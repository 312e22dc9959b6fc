package io.muster.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterCertsTest {
  @TempDir
  Path dir;

  @Test
  @DisplayName("cluster-certs makes a CA that verifies each node's certificate, which names the node, serves both"
      + " ways, and whose key (mode 600) matches it")
  void makesACaAndNodeCertificates() throws Exception {
    int exit = ClusterCerts.run(new String[] {"cluster-certs", "--out", dir.toString(), "--nodes", "muster-1,muster-2"},
        new PrintStream(new ByteArrayOutputStream()), System.err);

    assertThat(exit).isZero();
    X509Certificate ca = ClusterCerts.readCertificate(dir.resolve("ca.crt"));
    assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    assertThat(mode(dir.resolve("ca.key"))).isEqualTo("rw-------");
    for (String node : List.of("muster-1", "muster-2")) {
      Path folder = dir.resolve(node);
      X509Certificate cert = ClusterCerts.readCertificate(folder.resolve("node.crt"));
      cert.verify(ca.getPublicKey());
      cert.checkValidity();
      assertThat(cert.getBasicConstraints()).isEqualTo(-1);
      assertThat(cert.getSubjectAlternativeNames().stream().map(san -> String.valueOf(san.get(1))).toList())
          .contains(node, "localhost", "127.0.0.1");
      assertThat(cert.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
      assertThat(mode(folder.resolve("node.key"))).isEqualTo("rw-------");
      assertThat(Files.readString(folder.resolve("ca.crt"))).isEqualTo(Files.readString(dir.resolve("ca.crt")));
      assertThat(matches(readKey(folder.resolve("node.key")), cert)).isTrue();
    }
    X509Certificate one = ClusterCerts.readCertificate(dir.resolve("muster-1/node.crt"));
    assertThat(matches(readKey(dir.resolve("muster-2/node.key")), one)).as("a key matches only its own node").isFalse();
  }

  @Test
  @DisplayName("a second run signs new nodes with the same CA and never overwrites a node that exists")
  void addsNodesWithTheSameCa() throws Exception {
    ClusterCerts.write(dir, List.of("a"), 30);
    String aBefore = Files.readString(dir.resolve("a/node.crt"));

    ClusterCerts.Written second = ClusterCerts.write(dir, List.of("a", "b"), 30);

    assertThat(second.caMade()).isFalse();
    assertThat(second.made()).containsExactly("b");
    assertThat(second.kept()).containsExactly("a");
    assertThat(Files.readString(dir.resolve("a/node.crt"))).isEqualTo(aBefore);
    ClusterCerts.readCertificate(dir.resolve("b/node.crt"))
        .verify(ClusterCerts.readCertificate(dir.resolve("ca.crt")).getPublicKey());
  }

  @Test
  @DisplayName("a certificate from another run's CA does not verify with this CA")
  void anotherCaDoesNotVerify(@TempDir Path other) throws Exception {
    ClusterCerts.write(dir, List.of("a"), 30);
    ClusterCerts.write(other, List.of("a"), 30);
    X509Certificate foreign = ClusterCerts.readCertificate(other.resolve("a/node.crt"));

    assertThatThrownBy(() -> foreign.verify(ClusterCerts.readCertificate(dir.resolve("ca.crt")).getPublicKey()))
        .isInstanceOf(java.security.SignatureException.class);
  }

  @Test
  @DisplayName("names that are no host name, and missing arguments, are refused with the usage")
  void refusesBadArguments() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream errors = new PrintStream(err, true, StandardCharsets.UTF_8);

    assertThat(ClusterCerts.run(new String[] {"cluster-certs", "--out", dir.toString(), "--nodes", "../etc"},
        System.out, errors)).isEqualTo(2);
    assertThat(ClusterCerts.run(new String[] {"cluster-certs", "--nodes", "a"}, System.out, errors)).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("not a host name").contains("--out and --nodes are required")
        .contains(ClusterCerts.USAGE);
    assertThat(dir.resolve("ca.crt")).doesNotExist();
  }

  private static String mode(Path file) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
  }

  private static PrivateKey readKey(Path file) throws Exception {
    String body = Files.readString(file).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
  }

  private static boolean matches(PrivateKey key, X509Certificate cert) throws Exception {
    byte[] data = "muster".getBytes(StandardCharsets.UTF_8);
    Signature sign = Signature.getInstance("SHA256withECDSA");
    sign.initSign(key);
    sign.update(data);
    byte[] signature = sign.sign();
    Signature verify = Signature.getInstance("SHA256withECDSA");
    verify.initVerify(cert.getPublicKey());
    verify.update(data);
    return verify.verify(signature);
  }
}
