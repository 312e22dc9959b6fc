package io.muster.security;

import io.muster.store.AuditChain;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * The audit key and the two keys derived from it with HKDF-SHA256 (RFC 5869): the chain key, for
 * the HMAC of every audit row, and an Ed25519 key pair that signs checkpoints. The same audit key
 * gives the same keys on every node, so a cluster has one public key to publish; knowing the
 * public key (or a checkpoint) tells nothing about the chain key.
 */
public final class AuditKey {
  private static final byte[] SALT = "muster-audit-key/1".getBytes(StandardCharsets.UTF_8);
  /** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410); the 32 key bytes follow. */
  private static final byte[] SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

  private final AuditChain chain;
  private final Ed25519PrivateKeyParameters signing;
  private final byte[] publicKey;

  private AuditKey(byte[] secret) {
    this.chain = new AuditChain(derive(secret, "chain-hmac-sha256"));
    this.signing = new Ed25519PrivateKeyParameters(derive(secret, "checkpoint-ed25519"), 0);
    this.publicKey = signing.generatePublicKey().getEncoded();
  }

  /** From the audit key as configured (see {@link Secrets#auditKey}). */
  public static AuditKey of(String secret) {
    if (secret == null || secret.strip().length() < Secrets.MIN_LENGTH) {
      throw new IllegalArgumentException("the audit key must be at least " + Secrets.MIN_LENGTH + " characters");
    }
    return new AuditKey(secret.strip().getBytes(StandardCharsets.UTF_8));
  }

  public AuditChain chain() {
    return chain;
  }

  public byte[] sign(byte[] message) {
    Ed25519Signer signer = new Ed25519Signer();
    signer.init(true, signing);
    signer.update(message, 0, message.length);
    return signer.generateSignature();
  }

  /** Whether {@code signature} is the Ed25519 signature of {@code message} under {@code publicKey} (32 raw bytes). */
  public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
    try {
      Ed25519Signer verifier = new Ed25519Signer();
      verifier.init(false, new Ed25519PublicKeyParameters(publicKey, 0));
      verifier.update(message, 0, message.length);
      return verifier.verifySignature(signature);
    } catch (RuntimeException malformed) {
      return false;
    }
  }

  /** The checkpoint public key, 32 raw bytes. */
  public byte[] publicKey() {
    return publicKey.clone();
  }

  /** The public key as PEM (SubjectPublicKeyInfo), for OpenSSL or any Ed25519 verifier. */
  public String publicKeyPem() {
    byte[] der = new byte[SPKI_PREFIX.length + publicKey.length];
    System.arraycopy(SPKI_PREFIX, 0, der, 0, SPKI_PREFIX.length);
    System.arraycopy(publicKey, 0, der, SPKI_PREFIX.length, publicKey.length);
    return "-----BEGIN PUBLIC KEY-----\n" + Base64.getEncoder().encodeToString(der) + "\n-----END PUBLIC KEY-----\n";
  }

  private static byte[] derive(byte[] secret, String purpose) {
    HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
    hkdf.init(new HKDFParameters(secret, SALT, purpose.getBytes(StandardCharsets.UTF_8)));
    byte[] out = new byte[32];
    hkdf.generateBytes(out, 0, out.length);
    return out;
  }
}
