<?xml version="1.0" encoding="UTF-8"?>
<!--
  layout.xsl: what every page of the web interface shares: the HTML
  skeleton (lang="fr", skip link, header, navigation, sign-out form with
  its CSRF token), French names of roles, ages and states, and number
  formatting.  Imported by each page, which gives its title (mode
  "title") and content (mode "main").  Values come from the XML document
  as text: the serializer escapes them.
-->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="html" encoding="UTF-8" doctype-system="about:legacy-compat" indent="no"/>
  <xsl:decimal-format name="fr" decimal-separator="," grouping-separator="&#160;"/>

  <xsl:template match="/">
    <html lang="fr">
      <head>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:apply-templates select="*" mode="title"/> – SAE</title>
        <link rel="stylesheet" href="/ui/sae.css"/>
      </head>
      <body>
        <a class="skip" href="#main">Aller au contenu</a>
        <header>
          <p class="brand">SAE <span>Système d'archivage électronique</span></p>
          <xsl:if test="*/user">
            <nav aria-label="Menu principal">
              <ul>
                <li><a href="/ui/">Tableau de bord</a></li>
                <li><a href="/ui/units">Unités</a></li>
                <li><a href="/ui/review">À trier</a></li>
                <li><a href="/ui/disposals">Éliminations</a></li>
                <li><a href="/ui/holds">Gels</a></li>
                <li><a href="/ui/audits">Audit</a></li>
                <li><a href="/ui/rules">Règles</a></li>
              </ul>
            </nav>
            <form method="post" action="/ui/logout" class="logout">
              <p>Connecté : <strong id="who"><xsl:value-of select="*/user/@name"/></strong>
                (<xsl:call-template name="role"><xsl:with-param name="r" select="*/user/@role"/></xsl:call-template>)</p>
              <input type="hidden" name="csrf" value="{*/user/@csrf}"/>
              <button type="submit">Se déconnecter</button>
            </form>
          </xsl:if>
        </header>
        <main id="main">
          <h1><xsl:apply-templates select="*" mode="title"/></h1>
          <xsl:apply-templates select="*" mode="main"/>
        </main>
      </body>
    </html>
  </xsl:template>

  <!-- Hidden CSRF field for the forms of a page. -->
  <xsl:template name="csrf">
    <input type="hidden" name="csrf" value="{/*/user/@csrf}"/>
  </xsl:template>

  <xsl:template name="num">
    <xsl:param name="n"/>
    <xsl:choose>
      <xsl:when test="string(number($n)) = 'NaN'">0</xsl:when>
      <xsl:otherwise><xsl:value-of select="format-number($n, '#&#160;##0', 'fr')"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="role">
    <xsl:param name="r"/>
    <xsl:choose>
      <xsl:when test="$r = 'archivist'">archiviste</xsl:when>
      <xsl:when test="$r = 'auditor'">auditeur</xsl:when>
      <xsl:when test="$r = 'admin'">administrateur</xsl:when>
      <xsl:otherwise><xsl:value-of select="$r"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="age">
    <xsl:param name="a"/>
    <xsl:choose>
      <xsl:when test="$a = 'current'">courante</xsl:when>
      <xsl:when test="$a = 'intermediate'">intermédiaire</xsl:when>
      <xsl:when test="$a = 'definitive'">définitive</xsl:when>
      <xsl:when test="$a = 'disposal'">à éliminer</xsl:when>
      <xsl:when test="$a = 'review'">à trier</xsl:when>
      <xsl:otherwise><xsl:value-of select="$a"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="state">
    <xsl:param name="s"/>
    <xsl:choose>
      <xsl:when test="$s = 'proposed'">proposé</xsl:when>
      <xsl:when test="$s = 'approved'">approuvé</xsl:when>
      <xsl:when test="$s = 'rejected'">rejeté</xsl:when>
      <xsl:when test="$s = 'executing'">en cours d'exécution</xsl:when>
      <xsl:when test="$s = 'executed'">exécuté</xsl:when>
      <xsl:otherwise><xsl:value-of select="$s"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- A disposal list as a table row (dashboard and list page). -->
  <xsl:template match="disposal" mode="row">
    <tr>
      <th scope="row"><a href="/ui/disposals/{id}"><xsl:value-of select="id"/></a></th>
      <td><xsl:value-of select="agency"/></td>
      <td data-state="{state}"><xsl:call-template name="state"><xsl:with-param name="s" select="state"/></xsl:call-template></td>
      <td><xsl:value-of select="created"/></td>
      <td class="n"><xsl:call-template name="num"><xsl:with-param name="n" select="units"/></xsl:call-template></td>
      <td class="n"><xsl:call-template name="num"><xsl:with-param name="n" select="objects"/></xsl:call-template></td>
      <td class="n"><xsl:call-template name="num"><xsl:with-param name="n" select="bytes"/></xsl:call-template></td>
    </tr>
  </xsl:template>

  <xsl:template name="disposal-head">
    <thead>
      <tr>
        <th scope="col">Bordereau</th>
        <th scope="col">Service producteur</th>
        <th scope="col">État</th>
        <th scope="col">Proposé le</th>
        <th scope="col">Unités</th>
        <th scope="col">Objets</th>
        <th scope="col">Taille (octets)</th>
      </tr>
    </thead>
  </xsl:template>
</xsl:stylesheet>
